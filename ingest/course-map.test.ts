import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseFor, loadCourseMap, parseCourseMap } from './course-map.ts';

describe('course map', () => {
  it('matches by meeting id first-come, then by topic pattern', () => {
    const rules = parseCourseMap([
      { meetingId: '850 1234 5678', course: 'MATH-101' },
      { topic: '^physics\\b', flags: 'i', course: 'PHYS-1' },
      { topic: 'lab', course: 'LAB' },
    ]);
    expect(courseFor(rules, { id: 85012345678, topic: 'Physics lab' })).toBe('MATH-101');
    expect(courseFor(rules, { id: 1, topic: 'PHYSICS lab' })).toBe('PHYS-1');
    expect(courseFor(rules, { id: 1, topic: 'chem lab' })).toBe('LAB');
    expect(courseFor(rules, { id: 1, topic: 'Staff meeting' })).toBeNull();
  });

  it('names the bad rule', () => {
    expect(() => parseCourseMap([{ course: 'X' }])).toThrow(/HLSGATE_COURSE_MAP .*rule 0/);
    expect(() => parseCourseMap([{ topic: '(', course: 'X' }])).toThrow(/rule 0: bad topic pattern/);
    expect(() => parseCourseMap({ a: 1 })).toThrow(/HLSGATE_COURSE_MAP/);
    const dir = mkdtempSync(join(tmpdir(), 'hlsgate-map-'));
    writeFileSync(join(dir, 'map.json'), '{not json');
    expect(() => loadCourseMap(join(dir, 'map.json'))).toThrow(/HLSGATE_COURSE_MAP: cannot read .*map\.json/);
  });
});

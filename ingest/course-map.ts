/**
 * Which course a Zoom meeting belongs to: a JSON file of rules, tried in order —
 * `[{"meetingId": "85012345678", "course": "MATH-101"}, {"topic": "^Physics", "flags": "i", "course": "PHYS-1"}]`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../common/config.ts';

const ruleSchema = z.union([
  z.object({ meetingId: z.union([z.string(), z.number()]).transform(String), course: z.string().min(1) }).strict(),
  z.object({ topic: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).optional(), course: z.string().min(1) }).strict(),
]);

export type CourseRule = { meetingId: string; course: string } | { topic: RegExp; course: string };

export function parseCourseMap(json: unknown, where = 'course map'): CourseRule[] {
  const parsed = z.array(ruleSchema).safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `HLSGATE_COURSE_MAP (${where}) rule ${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data.map((rule, index) => {
    if ('meetingId' in rule) return { meetingId: rule.meetingId.replace(/\s+/g, ''), course: rule.course };
    try {
      return { topic: new RegExp(rule.topic, rule.flags ?? ''), course: rule.course };
    } catch (error) {
      throw new ConfigError([`HLSGATE_COURSE_MAP (${where}) rule ${index}: bad topic pattern: ${(error as Error).message}`]);
    }
  });
}

export function loadCourseMap(path: string): CourseRule[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`HLSGATE_COURSE_MAP: cannot read ${path}: ${(error as Error).message}`]);
  }
  return parseCourseMap(json, path);
}

/** The first rule that matches the meeting's id, then its topic; null when none does. */
export function courseFor(rules: readonly CourseRule[], meeting: { id: string | number; topic?: string }): string | null {
  const id = String(meeting.id).replace(/\s+/g, '');
  for (const rule of rules) {
    if ('meetingId' in rule ? rule.meetingId === id : rule.topic.test(meeting.topic ?? '')) return rule.course;
  }
  return null;
}

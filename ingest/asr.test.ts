import { describe, expect, it } from 'vitest';
import { checkRecognition, cuesToVtt, meanConfidence, vttTime, wordErrorRate, wordsToCues } from './asr.ts';
import { parsePocketsphinx } from './asr-pocketsphinx.ts';

const word = (text: string, start: number, end = start + 0.3, confidence = 0.9) => ({ text, start, end, confidence });

describe('recognised words to captions', () => {
  it('reads pocketsphinx word lines, leaving out silences, fillers and pronunciation variants', () => {
    const out = 'the girl you know\n<s> 0.000 0.530 0.999200\nthe 0.540 0.760 0.514131\n<sil> 0.770 1.100 0.927272\n[NOISE] 1.1 1.2 1\ncannot(2) 3.540 3.960 0.134454\n</s> 5.980 6.430 1.000000\n';
    expect(parsePocketsphinx(out)).toEqual([word('the', 0.54, 0.76, 0.514131), word('cannot', 3.54, 3.96, 0.134454)]);
  });

  it('breaks cues at pauses, sentence ends, two lines of 42 characters and 7 s', () => {
    const words = 'one two three four. five six'.split(' ').map((t, i) => word(t, i * 0.4));
    expect(wordsToCues(words).map((c) => c.text)).toEqual(['one two three four.', 'five six']);
    const paused = [word('before', 0), word('after', 2)];
    expect(wordsToCues(paused).map((c) => [c.start, c.text])).toEqual([[0, 'before'], [2, 'after']]);
    const many = Array.from({ length: 40 }, (_, i) => word(`word${i}`, i * 0.3));
    const cues = wordsToCues(many);
    for (const cue of cues) {
      const lines = cue.text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(2);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(42);
      expect(cue.end - cue.start).toBeLessThanOrEqual(7);
    }
    expect(cues.flatMap((c) => c.text.split(/\s+/))).toEqual(many.map((w) => w.text));
  });

  it('writes WebVTT whose markup stays text', () => {
    const vtt = cuesToVtt([{ start: 3661.5, end: 3662, text: '<script>alert(1)</script> & <b>x</b> --> y' }]);
    expect(vtt).toBe('WEBVTT\n\n01:01:01.500 --> 01:01:02.000\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt; --&gt; y\n');
    expect(vttTime(0.0004)).toBe('00:00:00.000');
  });

  it('measures word error rate and mean confidence', () => {
    expect(wordErrorRate('The cat sat on the mat.', 'the cat sat on the mat')).toBe(0);
    expect(wordErrorRate('a b c d', 'a x c')).toBe(0.5);
    expect(meanConfidence([word('a', 0, 1, 0.2), word('b', 1, 2, 0.6)])).toBeCloseTo(0.4);
  });

  it('refuses an empty result and one in another language than asked', () => {
    expect(() => checkRecognition({ language: 'en', words: [] }, 'en', 'x')).toThrow(expect.objectContaining({ code: 'asr_empty', fatal: true }));
    expect(() => checkRecognition({ language: 'de', words: [word('hallo', 0)] }, 'en-US', 'x')).toThrow(expect.objectContaining({ code: 'asr_wrong_language' }));
    expect(checkRecognition({ language: 'en-US', words: [word('hi', 0)] }, 'en', 'x').words).toHaveLength(1);
    expect(checkRecognition({ language: 'fr', words: [word('salut', 0)] }, 'auto', 'x').language).toBe('fr');
  });

  it('a few stray words in a long recording (music, noise) are no speech; a lecture pace passes', () => {
    // What pocketsphinx gave on a music-only minute of the bench: 6 words. Ten minutes of it: 60.
    const vocabulary = ['the', 'a', 'of', 'matrix', 'vector', 'and', 'we', 'see', 'so', 'space', 'linear', 'map'];
    const stray = Array.from({ length: 60 }, (_, i) => word(vocabulary[i % vocabulary.length]!, i * 10, i * 10 + 0.3, 0.3));
    const density = { durationSeconds: 600, minWordsPerMinute: 10 };
    expect(() => checkRecognition({ language: 'en', words: stray }, 'en', 'pocketsphinx', density)).toThrow(
      expect.objectContaining({ code: 'asr_empty', fatal: true, message: expect.stringMatching(/recognised no speech: 60 words in 10\.0 minutes \(6\.0 a minute, under HLSGATE_ASR_MIN_WORDS_PER_MINUTE=10/) }),
    );
    const lecture = Array.from({ length: 1200 }, (_, i) => word(vocabulary[(i * 5) % vocabulary.length]!, i / 2, i / 2 + 0.4));
    expect(checkRecognition({ language: 'en', words: lecture }, 'en', 'x', density).words).toHaveLength(1200);
    // Music heard as words, as pocketsphinx did on a minute of two tones: many, but the same few.
    const music = ['the', 'oh', ...Array<string>(14).fill('if'), 'fifth', 'fifth', 'fifth'].map((t, i) => word(t, i * 3, i * 3 + 0.8, 1));
    expect(() => checkRecognition({ language: 'en', words: music }, 'en', 'pocketsphinx', { durationSeconds: 60, minWordsPerMinute: 10 })).toThrow(
      expect.objectContaining({ code: 'asr_empty', message: expect.stringMatching(/"if" is 74 % of its 19 words/) }),
    );
    // Off (0), or the duration unknown: the words are kept.
    expect(checkRecognition({ language: 'en', words: stray }, 'en', 'x', { durationSeconds: 600, minWordsPerMinute: 0 }).words).toHaveLength(60);
    expect(checkRecognition({ language: 'en', words: stray }, 'en', 'x', { durationSeconds: null, minWordsPerMinute: 10 }).words).toHaveLength(60);
  });
});

<?php
// This file is part of Moodle - http://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <http://www.gnu.org/licenses/>.

namespace filter_hlsgate\local;

/**
 * What one progress report does to the stored row of a user × context × video: pure, no Moodle.
 *
 * - Ranges are merged into the stored ones (watched_ranges), so a retried report adds nothing.
 * - The seconds a report adds must fit into the wall time since the last accepted report
 *   (watched_ranges::assess); otherwise it is refused and nothing but the allowance's start (for a
 *   first contact) is stored.
 * - The position and sequence number move only forward within one player session, so a late retry
 *   cannot move "resume" back.
 * - "Viewed" once per player session; each milestone (25/50/75/95 %) once per row.
 * - The duration is the server's (the video's playlists, {@see video_duration}), never the client's.
 * - Stored ranges are capped: reported ranges shorter than MIN_RANGE_SECONDS are dropped, and
 *   beyond MAX_STORED_RANGES the shortest are dropped (never merged, which would inflate).
 * - Every number is clamped to its column; time spent grows by the wall time between the accepted
 *   reports of one player session, at most MAX_TIME_STEP each, so a forged report shows none.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class progress_update {
    /** Percent milestones, each logged once. */
    public const MILESTONES = [25, 50, 75, 95];

    /** Longest duration taken from a player (48 h); a lecture longer than that is bad input. */
    public const MAX_DURATION = 172800.0;

    /** Reported ranges shorter than this (seconds) are no watching; 2,000 ranges of 1 ms bloated a row. */
    public const MIN_RANGE_SECONDS = 1.0;

    /** Most ranges stored per row. */
    public const MAX_STORED_RANGES = 200;

    /** Largest step of time spent between two reports of a session (the player reports every 30 s). */
    public const MAX_TIME_STEP = 120;

    /** Largest value of the int(10) columns stored from a report (seq). */
    public const MAX_INT = 2147483647;

    /** @var bool whether the report was accepted */
    public bool $plausible;

    /** @var array<string, mixed> the row's fields to store (all of them, for insert or update) */
    public array $row;

    /** @var bool whether to log "video viewed" */
    public bool $viewed = false;

    /** @var int[] milestones reached by this report, ascending */
    public array $milestones = [];

    /** @var float seconds added to the stored total */
    public float $added;

    /** @var float seconds the wall time allowed */
    public float $allowed;

    /**
     * Applies a report.
     *
     * @param array|null $stored the stored row (fields of filter_hlsgate_progress) or null for a first report
     * @param array $report (array{session: string, seq: int, ranges: array, position: float, duration: float, started: bool})
     * @param int $now epoch seconds
     * @return self
     */
    public static function apply(?array $stored, array $report, int $now): self {
        $update = new self();
        $storedranges = $stored ? json_decode((string) $stored['ranges'], true) : [];
        if (!is_array($storedranges)) {
            $storedranges = [];
        }
        $reportedduration = (float) $report['duration'];
        if (!is_finite($reportedduration) || $reportedduration < 0) {
            $reportedduration = 0.0;
        }
        // The caller passes the server's duration; the stored one is only a fallback.
        $duration = min(self::MAX_DURATION, $reportedduration > 0 ? $reportedduration
            : ($stored ? (float) $stored['duration'] : 0.0));
        $elapsed = $stored ? max(0, $now - (int) $stored['timemodified']) : 0;
        $reported = array_values(array_filter($report['ranges'], static fn($r): bool => is_array($r) && count($r) === 2
            && is_numeric($r[0] ?? null) && is_numeric($r[1] ?? null) && (float) $r[1] - (float) $r[0] >= self::MIN_RANGE_SECONDS));
        $verdict = watched_ranges::assess($storedranges, $reported, $duration > 0 ? $duration : null, (float) $elapsed);
        $update->plausible = $verdict['plausible'];
        $update->added = $verdict['added'];
        $update->allowed = $verdict['allowed'];

        $row = $stored ?? [
            'ranges' => '[]', 'watched' => 0.0, 'duration' => 0.0, 'lastposition' => 0.0, 'milestone' => 0,
            'session' => null, 'seq' => 0, 'timecreated' => $now, 'timemodified' => $now, 'timespent' => 0,
        ];
        if (!$verdict['plausible']) {
            // Refused: a first contact still starts the wall-time allowance, nothing else changes.
            $update->row = $row;
            return $update;
        }
        $ranges = self::cap($verdict['ranges']);
        $row['ranges'] = json_encode($ranges);
        $row['watched'] = min($duration > 0 ? $duration : self::MAX_DURATION, watched_ranges::total($ranges));
        $row['duration'] = $duration;
        $row['timemodified'] = $now;

        $samesession = $stored && (string) $stored['session'] === $report['session'];
        if ($samesession) {
            $row['timespent'] = min(self::MAX_INT, (int) ($stored['timespent'] ?? 0) + min($elapsed, self::MAX_TIME_STEP));
        }
        $seq = max(0, min(self::MAX_INT, (int) $report['seq']));
        if (!$samesession || $seq > (int) $stored['seq']) {
            $position = (float) $report['position'];
            $position = is_finite($position) ? max(0.0, $position) : 0.0;
            $row['lastposition'] = min($duration > 0 ? $duration : self::MAX_DURATION, $position);
            $row['session'] = $report['session'];
            $row['seq'] = $seq;
        }
        $update->viewed = !empty($report['started']) && !$samesession;

        $percent = watched_ranges::percent($ranges, $duration);
        $reached = (int) $row['milestone'];
        foreach (self::MILESTONES as $milestone) {
            if ($milestone > $reached && $percent >= $milestone) {
                $update->milestones[] = $milestone;
                $row['milestone'] = $milestone;
            }
        }
        $update->row = $row;
        return $update;
    }

    /**
     * At most MAX_STORED_RANGES ranges: the shortest go first (dropping only ever lowers the total).
     *
     * @param array $ranges normalized ranges
     * @return array normalized ranges, in order
     */
    public static function cap(array $ranges): array {
        if (count($ranges) <= self::MAX_STORED_RANGES) {
            return $ranges;
        }
        $bylength = array_keys($ranges);
        usort($bylength, static fn(int $a, int $b): int => [$ranges[$a][1] - $ranges[$a][0], $a]
            <=> [$ranges[$b][1] - $ranges[$b][0], $b]);
        foreach (array_slice($bylength, 0, count($ranges) - self::MAX_STORED_RANGES) as $drop) {
            unset($ranges[$drop]);
        }
        return array_values($ranges);
    }
}

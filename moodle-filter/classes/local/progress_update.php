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
 * - The duration is the largest the player reported (so it cannot be shrunk to inflate the percent).
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
     * @param array{session: string, seq: int, ranges: array, position: float, duration: float, started: bool} $report
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
        $duration = min(self::MAX_DURATION, max($stored ? (float) $stored['duration'] : 0.0, $reportedduration));
        $elapsed = $stored ? $now - (int) $stored['timemodified'] : 0;
        $verdict = watched_ranges::assess($storedranges, $report['ranges'], $duration > 0 ? $duration : null, (float) $elapsed);
        $update->plausible = $verdict['plausible'];
        $update->added = $verdict['added'];
        $update->allowed = $verdict['allowed'];

        $row = $stored ?? [
            'ranges' => '[]', 'watched' => 0.0, 'duration' => 0.0, 'lastposition' => 0.0, 'milestone' => 0,
            'session' => null, 'seq' => 0, 'timecreated' => $now, 'timemodified' => $now,
        ];
        if (!$verdict['plausible']) {
            // Refused: a first contact still starts the wall-time allowance, nothing else changes.
            $update->row = $row;
            return $update;
        }
        $row['ranges'] = json_encode($verdict['ranges']);
        $row['watched'] = $verdict['watched'];
        $row['duration'] = $duration;
        $row['timemodified'] = $now;

        $samesession = $stored && (string) $stored['session'] === $report['session'];
        if (!$samesession || $report['seq'] > (int) $stored['seq']) {
            $position = (float) $report['position'];
            $position = is_finite($position) ? max(0.0, $position) : 0.0;
            $row['lastposition'] = $duration > 0 ? min($duration, $position) : $position;
            $row['session'] = $report['session'];
            $row['seq'] = (int) $report['seq'];
        }
        $update->viewed = !empty($report['started']) && !$samesession;

        $percent = watched_ranges::percent($verdict['ranges'], $duration);
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
}

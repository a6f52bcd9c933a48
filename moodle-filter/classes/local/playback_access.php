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
 * What {@see access_rule::check()} found: the player's context, its course and activity, and the
 * video it opens. Only made after every check passed.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class playback_access {
    /**
     * Constructor.
     *
     * @param \context $context the context the player was rendered in (course, module or block)
     * @param \stdClass $course its course
     * @param \stdClass|null $cm its course module (of the module, or of the block's module), null in a course
     * @param string $url the playlist URL in canonical form ({@see url_policy::canonical()})
     * @param string $resource the view token's `res`: `<media base><dir>/`, one video
     * @param string $playlisturl what the player plays: the master playlist on the media host
     */
    public function __construct(
        /** @var \context the context the player was rendered in */
        public readonly \context $context,
        /** @var \stdClass its course */
        public readonly \stdClass $course,
        /** @var \stdClass|null its course module, null in a course */
        public readonly ?\stdClass $cm,
        /** @var string the playlist URL in canonical form */
        public readonly string $url,
        /** @var string the view token's `res` */
        public readonly string $resource,
        /** @var string the master playlist on the media host */
        public readonly string $playlisturl,
    ) {
    }
}

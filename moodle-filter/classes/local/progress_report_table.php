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

defined('MOODLE_INTERNAL') || die();

require_once($CFG->libdir . '/tablelib.php');

/**
 * The teacher's report as a sortable table with a dataformat download (CSV, Excel, …).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class progress_report_table extends \table_sql {
    /** @var array<string, string> video names by contextid-videohash, computed once per video */
    private array $videonames = [];

    /** @var \context_course the course */
    private \context_course $coursecontext;

    /**
     * Builds the table.
     *
     * @param \context_course $context
     * @param int $groupid
     * @param \moodle_url $baseurl
     */
    public function __construct(\context_course $context, int $groupid, \moodle_url $baseurl) {
        parent::__construct('filter_hlsgate_report');
        $this->coursecontext = $context;
        $this->useridfield = 'userid';
        $this->define_columns(['fullname', 'video', 'watched', 'percent', 'timespent', 'lastwatched', 'position', 'captions']);
        $this->define_headers([
            get_string('report:student', 'filter_hlsgate'),
            get_string('report:video', 'filter_hlsgate'),
            get_string('report:watchedseconds', 'filter_hlsgate'),
            get_string('report:percent', 'filter_hlsgate'),
            get_string('report:timespent', 'filter_hlsgate'),
            get_string('report:lastwatched', 'filter_hlsgate'),
            get_string('report:position', 'filter_hlsgate'),
            get_string('report:captions', 'filter_hlsgate'),
        ]);
        $this->define_baseurl($baseurl);
        $this->sortable(true, 'lastname', SORT_ASC);
        $this->no_sorting('position');
        $this->no_sorting('timespent');
        $this->no_sorting('captions');
        $this->collapsible(false);
        $this->set_attribute('class', 'generaltable filter_hlsgate_report');
        $this->show_download_buttons_at([TABLE_P_BOTTOM]);
        $sql = progress_report::sql($context, $groupid);
        $this->set_sql($sql['fields'], $sql['from'], $sql['where'], $sql['params']);
    }

    #[\Override]
    public function get_context(): \core\context {
        return $this->coursecontext;
    }

    /**
     * The video: its page or activity and file name.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_video($row): string {
        $key = $row->contextid . '-' . $row->videohash;
        $this->videonames[$key] ??= progress_report::video_name((int) $row->contextid, (string) $row->video);
        return $this->download ? $this->videonames[$key] : s($this->videonames[$key]);
    }

    /**
     * What became of the video's automatic captions (the master's captions status at the search
     * indexer's last read): the report is for teachers only (filter/hlsgate:viewreport).
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_captions($row): string {
        if (!is_string($row->captions ?? null) || !preg_match('/^([a-z-]+): (.*)$/s', $row->captions, $m)) {
            return '';
        }
        $text = transcript_store::status_text(['state' => $m[1], 'note' => $m[2]]);
        return $this->download ? $text : s($text);
    }

    /**
     * Every cell of a download is safe in a spreadsheet ({@see spreadsheet_cell}): a student's name
     * such as =HYPERLINK(...) must stay text.
     *
     * @param array|object $row
     * @return array
     */
    #[\Override]
    public function format_row($row) {
        $cells = parent::format_row($row);
        return $this->download ? array_map([spreadsheet_cell::class, 'escape'], $cells) : $cells;
    }

    /**
     * Seconds watched (each second once), so that a percent can be weighed against it.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_watched($row): string {
        if ($row->watched === null) {
            return $this->download ? '' : '—';
        }
        $value = round((float) $row->watched, 1);
        return $this->download ? (string) $value : format_float($value, 1) . ' s';
    }

    /**
     * Wall-clock time between the reports of the viewings: a row with watching but no time spent was not watched.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_timespent($row): string {
        if ($row->timespent === null) {
            return $this->download ? '' : '—';
        }
        return $this->download ? (string) (int) $row->timespent : format_time((int) $row->timespent);
    }

    /**
     * Percent watched, one decimal.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_percent($row): string {
        $value = round((float) $row->percent, 1);
        return $this->download ? (string) $value : format_float($value, 1) . ' %';
    }

    /**
     * When the student last watched, or nothing.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_lastwatched($row): string {
        if (empty($row->lastwatched)) {
            return $this->download ? '' : '—';
        }
        return $this->download ? date('c', (int) $row->lastwatched)
            : userdate((int) $row->lastwatched, get_string('strftimedatetimeshort', 'langconfig'));
    }

    /**
     * Where "resume" would start, h:mm:ss.
     *
     * @param \stdClass $row
     * @return string
     */
    public function col_position($row): string {
        if ($row->position === null) {
            return $this->download ? '' : '—';
        }
        $s = (int) floor((float) $row->position);
        $time = sprintf('%d:%02d:%02d', intdiv($s, 3600), intdiv($s % 3600, 60), $s % 60);
        return $time;
    }
}

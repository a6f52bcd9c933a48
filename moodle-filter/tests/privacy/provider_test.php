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

namespace filter_hlsgate\privacy;

use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use core_privacy\tests\provider_testcase;
use filter_hlsgate\local\embed_registry;
use filter_hlsgate\local\progress_store;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\privacy\provider::class)]
/**
 * The privacy provider's progress parts: contexts and users found, data exported, deleted per user,
 * per users and per context.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\privacy\provider
 */
final class provider_test extends provider_testcase {
    /** The video's resource (the media base and its directory). */
    private const RES = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/';

    /** @var \context_module */
    private \context_module $page1;

    /** @var \context_module */
    private \context_module $page2;

    /** @var \stdClass */
    private \stdClass $anna;

    /** @var \stdClass */
    private \stdClass $ben;

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course();
        $this->page1 = \context_module::instance($gen->create_module('page', ['course' => $course->id])->cmid);
        $this->page2 = \context_module::instance($gen->create_module('page', ['course' => $course->id])->cmid);
        $this->anna = $gen->create_and_enrol($course, 'student');
        $this->ben = $gen->create_and_enrol($course, 'student');
        foreach ([[$this->anna, $this->page1], [$this->anna, $this->page2], [$this->ben, $this->page1]] as [$user, $context]) {
            progress_store::save((int) $user->id, $context, self::RES, self::RES . 'master.m3u8', ['session' => 's', 'seq' => 1,
                'ranges' => [[0, 5]], 'position' => 5, 'duration' => 60, 'started' => true]);
        }
    }

    public function test_metadata_names_every_personal_field_of_both_tables(): void {
        global $DB;
        $collection = provider::get_metadata(new \core_privacy\local\metadata\collection('filter_hlsgate'));
        $fields = [];
        foreach ($collection->get_collection() as $item) {
            $fields[$item->get_name()] = array_keys($item->get_privacy_fields());
        }
        $this->assertArrayHasKey('authserver', $fields);
        // Every column but the keys and hashes derived from other columns.
        foreach (
            [progress_store::TABLE => ['id', 'videohash'], embed_registry::TABLE => ['id', 'urlhash', 'videohash',
                'resource', 'component', 'filearea', 'itemid']] as $table => $notpersonal
        ) {
            $columns = array_diff(array_keys($DB->get_columns($table)), $notpersonal);
            sort($columns);
            $declared = $fields[$table] ?? [];
            sort($declared);
            $this->assertSame(array_values($columns), $declared, $table);
        }
    }

    public function test_embeds_are_exported_and_forget_their_author_on_deletion(): void {
        global $DB;
        $gen = $this->getDataGenerator();
        $gen->get_plugin_generator('filter_hlsgate')->configure_site(
            'https://media.example.test/lectures/',
            'hlsgate-test-secret-A-0123456789abcdef-not-for-production'
        );
        $course = get_course($this->page1->get_course_context()->instanceid);
        $teacher = $gen->create_and_enrol($course, 'editingteacher');
        $this->setUser($teacher);
        $page = $gen->create_module('page', ['course' => $course->id, 'content' => '<a href="' . self::RES . 'master.m3u8">L</a>']);
        $context = \context_module::instance($page->cmid);
        $this->assertContains((int) $context->id, array_map(
            'intval',
            provider::get_contexts_for_userid((int) $teacher->id)->get_contextids()
        ));
        $userlist = new userlist($context, 'filter_hlsgate');
        provider::get_users_in_context($userlist);
        $this->assertSame([(int) $teacher->id], array_map('intval', $userlist->get_userids()));
        $this->export_context_data_for_user((int) $teacher->id, $context, 'filter_hlsgate');
        $data = writer::with_context($context)->get_data([get_string('privacy:embed', 'filter_hlsgate')]);
        $this->assertSame(self::RES . 'master.m3u8', $data->videos[0]->url);

        provider::delete_data_for_user(new approved_contextlist($teacher, 'filter_hlsgate', [$context->id]));
        $this->assertSame([0], array_map('intval', $DB->get_fieldset_select(
            embed_registry::TABLE,
            'userid',
            'contextid = ?',
            [$context->id]
        )));
    }

    public function test_contexts_users_and_export(): void {
        $contexts = provider::get_contexts_for_userid((int) $this->anna->id)->get_contextids();
        sort($contexts);
        $this->assertSame([(int) $this->page1->id, (int) $this->page2->id], array_map('intval', $contexts));

        $userlist = new userlist($this->page1, 'filter_hlsgate');
        provider::get_users_in_context($userlist);
        $ids = $userlist->get_userids();
        sort($ids);
        $this->assertSame([(int) $this->anna->id, (int) $this->ben->id], array_map('intval', $ids));

        $this->export_context_data_for_user((int) $this->anna->id, $this->page1, 'filter_hlsgate');
        $data = writer::with_context($this->page1)->get_data([get_string('privacy:progress', 'filter_hlsgate')]);
        $this->assertSame(self::RES . 'master.m3u8', $data->videos[0]->url);
        $this->assertSame([[0, 5]], $data->videos[0]->ranges);
        $this->assertSame(5.0, $data->videos[0]->watched);
    }

    public function test_delete_for_user_users_and_context(): void {
        global $DB;
        provider::delete_data_for_user(new approved_contextlist($this->anna, 'filter_hlsgate', [$this->page1->id]));
        $this->assertSame(0, $DB->count_records(
            progress_store::TABLE,
            ['userid' => $this->anna->id, 'contextid' => $this->page1->id]
        ));
        $this->assertSame(1, $DB->count_records(progress_store::TABLE, ['userid' => $this->anna->id]));

        provider::delete_data_for_users(new approved_userlist($this->page1, 'filter_hlsgate', [$this->ben->id]));
        $this->assertSame(0, $DB->count_records(progress_store::TABLE, ['contextid' => $this->page1->id]));

        provider::delete_data_for_all_users_in_context($this->page2);
        $this->assertSame(0, $DB->count_records(progress_store::TABLE));
    }
}

<?php
// The harness's config.php for a Moodle site it installed (testing/moodle/). The site's tree is
// shared by every run of the same inputs; what differs per run (ports, folders) comes from the
// run's config.json, named by HLSGATE_MOODLE_RUN, which the harness passes to php -S and to every
// CLI script it runs.

unset($CFG);
global $CFG;
$CFG = new stdClass();

$hlsgaterun = getenv('HLSGATE_MOODLE_RUN');
$hlsgatefile = $hlsgaterun ? $hlsgaterun . '/config.json' : '';
if ($hlsgatefile === '' || !is_readable($hlsgatefile)) {
    // Not started by the harness: say so instead of failing inside Moodle's setup.
    if (PHP_SAPI !== 'cli') {
        http_response_code(503);
    }
    echo "This Moodle is run by hlsgate's test harness: start it with `npm run moodle -- up` (HLSGATE_MOODLE_RUN is not set).\n";
    exit(1);
}
$hlsgatesite = json_decode(file_get_contents($hlsgatefile), true, 8, JSON_THROW_ON_ERROR);

$CFG->dbtype    = 'pgsql';
$CFG->dblibrary = 'native';
$CFG->dbhost    = '127.0.0.1';
$CFG->dbname    = 'moodle';
$CFG->dbuser    = $hlsgatesite['dbuser'];
$CFG->dbpass    = '';
$CFG->prefix    = 'mdl_';
$CFG->dboptions = ['dbpersist' => 0, 'dbport' => $hlsgatesite['dbport'], 'dbsocket' => ''];

$CFG->wwwroot   = $hlsgatesite['wwwroot'];
$CFG->dataroot  = $hlsgatesite['dataroot'];
$CFG->admin     = 'admin';
$CFG->directorypermissions = 02777;

$CFG->phpunit_prefix = 'phpu_';
$CFG->phpunit_dataroot = $hlsgatesite['phpunitdataroot'];

// No mail server here; warnings go to the run's log (the tests read it), never into a page.
$CFG->noemailever = true;
$CFG->noreplyaddress = 'noreply@example.test';
$CFG->debug = E_ALL;
$CFG->debugdisplay = 0;
$CFG->debugpageinfo = 0;
@error_reporting(E_ALL);
@ini_set('log_errors', '1');
@ini_set('display_errors', '0');
@ini_set('error_log', $hlsgatesite['errorlog']);

require_once(__DIR__ . '/lib/setup.php');

<?php
// Shared by the harness's CLI scripts: bootstraps the site named by HLSGATE_MOODLE_RUN and gives
// the names the scenario uses, so specs and scripts agree on them.

define('CLI_SCRIPT', true);
$hlsgateroot = getenv('HLSGATE_MOODLE_ROOT');
if (!$hlsgateroot) {
    fwrite(STDERR, "HLSGATE_MOODLE_ROOT is not set (run this through the harness)\n");
    exit(2);
}
require($hlsgateroot . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/testing/generator/lib.php');

/** The folder of the File system repository instance "Lectures", under $CFG->dataroot/repository/. */
const HLSGATE_REPOSITORY_FOLDER = 'hlsgate';

/** The password of every scenario user. */
const HLSGATE_PASSWORD = 'Hlsgate-test-1!';

/**
 * Writes a JSON answer on stdout and exits.
 *
 * @param mixed $value
 */
function hlsgate_answer($value): void {
    echo json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
    exit(0);
}

/**
 * The JSON request given as the first argument (or on stdin).
 *
 * @return array
 */
function hlsgate_request(): array {
    global $argv;
    $raw = $argv[1] ?? stream_get_contents(STDIN);
    $request = json_decode($raw, true, 32, JSON_THROW_ON_ERROR);
    if (!is_array($request)) {
        throw new invalid_parameter_exception('the request must be a JSON object');
    }
    return $request;
}

<?php
// Installs a plugin ZIP the way Site administration › Plugins › Install plugins does: Moodle's own
// validator checks it, Moodle's code manager unpacks it into the tree. The upgrade that installs
// the plugin's database part is admin/cli/upgrade.php, run next by the harness.
//
// Usage: php install-zip.php <moodle dirroot> <component> <zip>

define('CLI_SCRIPT', true);
[, $dirroot, $component, $zip] = $argv + [null, null, null, null];
if (!$dirroot || !$component || !$zip || !is_readable($zip)) {
    fwrite(STDERR, "usage: php install-zip.php <moodle dirroot> <component> <readable zip>\n");
    exit(2);
}
require($dirroot . '/config.php');
require_once($CFG->libdir . '/clilib.php');

$pluginman = core_plugin_manager::instance();
if ($pluginman->get_plugin_info($component)) {
    cli_error("$component is already installed in this tree");
}
$ok = $pluginman->install_plugins([(object) ['component' => $component, 'zipfilepath' => $zip]], true, false);
if (!$ok) {
    cli_error("Moodle's installer refused $zip (see its messages above)");
}
echo "installed $component from $zip\n";

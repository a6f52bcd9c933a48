<?php
// Installs a plugin ZIP the way Site administration › Plugins › Install plugins does: Moodle's own
// validator checks it, Moodle's code manager unpacks it into the tree. The upgrade that installs
// the plugin's database part is admin/cli/upgrade.php, run next by the harness.
//
// Usage: php install-zip.php <moodle root> <component> <zip> [--upgrade]
//   (<moodle root>: where config.php is; --upgrade: the plugin is installed and the zip replaces it,
//   as Install plugins does with a newer version of an installed plugin)

define('CLI_SCRIPT', true);
[, $dirroot, $component, $zip, $mode] = $argv + [null, null, null, null, null];
if (!$dirroot || !$component || !$zip || !is_readable($zip) || ($mode !== null && $mode !== '--upgrade')) {
    fwrite(STDERR, "usage: php install-zip.php <moodle root> <component> <readable zip> [--upgrade]\n");
    exit(2);
}
require($dirroot . '/config.php');
require_once($CFG->libdir . '/clilib.php');

$pluginman = core_plugin_manager::instance();
$installed = $pluginman->get_plugin_info($component);
if ($installed && $mode !== '--upgrade') {
    cli_error("$component is already installed in this tree");
}
if (!$installed && $mode === '--upgrade') {
    cli_error("$component is not installed: nothing to upgrade");
}
$ok = $pluginman->install_plugins([(object) ['component' => $component, 'zipfilepath' => $zip]], true, false);
if (!$ok) {
    cli_error("Moodle's installer refused $zip (see its messages above)");
}
echo ($installed ? "replaced $component {$installed->versiondisk} by" : "installed $component from") . " $zip\n";

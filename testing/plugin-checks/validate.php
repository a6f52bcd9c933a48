<?php
// The plugins directory's "validate" for a filter plugin, written for hlsgate (the checks of
// moodle-plugin-ci's PluginValidate for filters on Moodle 4.5+, read from its source, implemented
// here with PHP's tokenizer): required files, the upgrade function, the text_filter class, the
// language strings, the table prefix, Behat tags.
// Usage: php validate.php <plugin dir> <component, e.g. filter_hlsgate>
// Prints one line per requirement; exits 1 when one is not met.

if ($argc !== 3) {
    fwrite(STDERR, "usage: php validate.php <plugin dir> <component>\n");
    exit(2);
}
[, $dir, $component] = $argv;
[$type, $name] = explode('_', $component, 2);
$failures = 0;

/**
 * Prints one result line.
 *
 * @param bool $ok
 * @param string $message
 */
function result(bool $ok, string $message): void {
    global $failures;
    echo ($ok ? '  ok   ' : '  FAIL ') . $message . "\n";
    if (!$ok) {
        $failures++;
    }
}

/**
 * The significant tokens of a PHP file (no whitespace or comments), as [id, text].
 *
 * @param string $file
 * @return array
 */
function tokens(string $file): array {
    $out = [];
    foreach (token_get_all(file_get_contents($file)) as $token) {
        $token = is_array($token) ? $token : [0, $token];
        if (!in_array($token[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT, T_OPEN_TAG], true)) {
            $out[] = $token;
        }
    }
    return $out;
}

/**
 * Names of the top-level functions a file declares.
 *
 * @param array $tokens
 * @return string[]
 */
function declared_functions(array $tokens): array {
    $names = [];
    $depth = 0;
    foreach ($tokens as $i => [$id, $text]) {
        if ($text === '{' || $id === T_CURLY_OPEN || $id === T_DOLLAR_OPEN_CURLY_BRACES) {
            $depth++;
        } else if ($text === '}') {
            $depth--;
        } else if ($id === T_FUNCTION && $depth === 0 && isset($tokens[$i + 1]) && $tokens[$i + 1][0] === T_STRING) {
            $names[] = $tokens[$i + 1][1];
        }
    }
    return $names;
}

/**
 * Fully qualified names of the classes a file declares.
 *
 * @param array $tokens
 * @return string[]
 */
function declared_classes(array $tokens): array {
    $namespace = '';
    $names = [];
    foreach ($tokens as $i => [$id, $text]) {
        if ($id === T_NAMESPACE && isset($tokens[$i + 1])) {
            $namespace = $tokens[$i + 1][1];
        } else if ($id === T_CLASS && isset($tokens[$i + 1]) && $tokens[$i + 1][0] === T_STRING
                && !(isset($tokens[$i - 1]) && $tokens[$i - 1][0] === T_DOUBLE_COLON)) {
            $names[] = ltrim($namespace . '\\' . $tokens[$i + 1][1], '\\');
        }
    }
    return $names;
}

/**
 * Keys assigned as $string['key'] in a language file.
 *
 * @param array $tokens
 * @return string[]
 */
function string_keys(array $tokens): array {
    $keys = [];
    foreach ($tokens as $i => [$id, $text]) {
        if ($id === T_VARIABLE && $text === '$string' && ($tokens[$i + 1][1] ?? '') === '['
                && ($tokens[$i + 2][0] ?? 0) === T_CONSTANT_ENCAPSED_STRING && ($tokens[$i + 3][1] ?? '') === ']'
                && ($tokens[$i + 4][1] ?? '') === '=') {
            $keys[] = stripslashes(substr($tokens[$i + 2][1], 1, -1));
        }
    }
    return $keys;
}

echo "validate $component ($dir)\n";
$langfile = "lang/en/$component.php";
$required = ['version.php', $langfile];
if ($type === 'filter') {
    $required[] = 'classes/text_filter.php';
}
foreach ($required as $file) {
    result(is_file("$dir/$file"), "required file $file");
}

if (is_file("$dir/version.php")) {
    $plugin = new stdClass();
    // Read as Moodle reads it, with the constants it may use.
    foreach (['MOODLE_INTERNAL' => true, 'MATURITY_ALPHA' => 50, 'MATURITY_BETA' => 100, 'MATURITY_RC' => 150,
            'MATURITY_STABLE' => 200, 'ANY_VERSION' => 'any'] as $constant => $value) {
        if (!defined($constant)) {
            define($constant, $value);
        }
    }
    (function() use ($dir, &$plugin) {
        include("$dir/version.php");
    })();
    result(($plugin->component ?? null) === $component, "version.php: \$plugin->component is '$component'");
    result(is_int($plugin->version ?? null) && strlen((string) $plugin->version) === 10,
        'version.php: $plugin->version is a YYYYMMDDXX integer (' . var_export($plugin->version ?? null, true) . ')');
    result(is_int($plugin->requires ?? null), 'version.php: $plugin->requires is set');
}

if (is_file("$dir/db/upgrade.php")) {
    $function = "xmldb_{$component}_upgrade";
    result(in_array($function, declared_functions(tokens("$dir/db/upgrade.php")), true), "db/upgrade.php declares $function()");
}

if ($type === 'filter' && is_file("$dir/classes/text_filter.php")) {
    result(in_array("$component\\text_filter", declared_classes(tokens("$dir/classes/text_filter.php")), true),
        "classes/text_filter.php declares $component\\text_filter");
    if (is_file("$dir/filter.php")) {
        $calls = array_filter(tokens("$dir/filter.php"), fn($t) => $t[0] === T_STRING && strtolower($t[1]) === 'class_alias');
        result(count($calls) > 0, 'filter.php (for Moodle before 4.5) calls class_alias');
    } else {
        echo "  note filter.php: none (only Moodle before 4.5 needs it; this plugin requires 4.5)\n";
    }
}

if (is_file("$dir/$langfile")) {
    $keys = string_keys(tokens("$dir/$langfile"));
    foreach (array_merge(['pluginname'], $type === 'filter' ? ['filtername'] : []) as $key) {
        result(in_array($key, $keys, true), "$langfile defines \$string['$key']");
    }
}

if (is_file("$dir/db/install.xml")) {
    $xml = simplexml_load_file("$dir/db/install.xml");
    result($xml !== false, 'db/install.xml is well-formed XML');
    if ($xml !== false) {
        foreach ($xml->xpath('//TABLES/TABLE') as $table) {
            $tablename = (string) $table['NAME'];
            result(strpos($tablename, $component) === 0, "db/install.xml: table $tablename starts with $component");
        }
    }
}

if (is_dir("$dir/tests/behat")) {
    foreach (glob("$dir/tests/behat/*.feature") as $feature) {
        $text = file_get_contents($feature);
        foreach (["@$type", "@$component"] as $tag) {
            result((bool) preg_match('/(^|\s)' . preg_quote($tag, '/') . '(\s|$)/m', $text), basename($feature) . " has the tag $tag");
        }
    }
}

echo $failures ? "validate: $failures requirement(s) not met\n" : "validate: every requirement met\n";
exit($failures ? 1 : 0);

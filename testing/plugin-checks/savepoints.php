<?php
// The plugins directory's "savepoints" check, written for hlsgate with PHP's tokenizer (what
// moodle-local_ci's check_upgrade_savepoints.php looks for, read from its source): db/upgrade.php
// has one upgrade function, which ends in one `return true;`; every top-level
// `if ($oldversion < V) { ... }` block calls upgrade_plugin_savepoint(true, V, '<type>', '<name>')
// exactly once, with its own V and this plugin's type and name; the V are in ascending order,
// none repeats, no savepoint stands outside its block, and no V is above version.php's version.
// Usage: php savepoints.php <plugin dir> <component>. Exits 1 on any finding.

if ($argc !== 3) {
    fwrite(STDERR, "usage: php savepoints.php <plugin dir> <component>\n");
    exit(2);
}
[, $dir, $component] = $argv;
[$type, $name] = explode('_', $component, 2);
$file = "$dir/db/upgrade.php";
if (!is_file($file)) {
    echo "savepoints: no db/upgrade.php, nothing to check\n";
    exit(0);
}

$errors = [];
$tokens = [];
foreach (token_get_all(file_get_contents($file)) as $token) {
    $token = is_array($token) ? $token : [0, $token, 0];
    if (!in_array($token[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT, T_OPEN_TAG], true)) {
        $tokens[] = $token;
    }
}
$count = count($tokens);

/**
 * Index of the token that closes the bracket opened at $open ('(' or '{').
 *
 * @param array $tokens
 * @param int $open
 * @return int
 */
function closing(array $tokens, int $open): int {
    $depth = 0;
    for ($i = $open, $n = count($tokens); $i < $n; $i++) {
        $text = $tokens[$i][1];
        if ($text === '(' || $text === '{' || $tokens[$i][0] === T_CURLY_OPEN || $tokens[$i][0] === T_DOLLAR_OPEN_CURLY_BRACES) {
            $depth++;
        } else if ($text === ')' || $text === '}') {
            $depth--;
            if ($depth === 0) {
                return $i;
            }
        }
    }
    return $n - 1;
}

/**
 * A number literal as written (int or float), or null.
 *
 * @param array $token
 * @return string|null
 */
function number(array $token): ?string {
    return in_array($token[0], [T_LNUMBER, T_DNUMBER], true) ? $token[1] : null;
}

// The upgrade function.
$functions = [];
for ($i = 0; $i < $count; $i++) {
    if ($tokens[$i][0] === T_FUNCTION && ($tokens[$i + 1][1] ?? '') === "xmldb_{$component}_upgrade") {
        $functions[] = $i;
    }
}
if (count($functions) !== 1) {
    $errors[] = count($functions) . " functions xmldb_{$component}_upgrade (one expected)";
} else {
    $open = $functions[0];
    while ($open < $count && $tokens[$open][1] !== '{') {
        $open++;
    }
    $close = closing($tokens, $open);

    // Top-level statements of the function body: if-blocks on $oldversion, savepoints, return true.
    $blocks = [];
    $returns = [];
    $allsavepoints = [];
    for ($i = $open + 1; $i < $close; $i++) {
        if ($tokens[$i][0] === T_STRING && preg_match('/^upgrade_\w+_savepoint$/', $tokens[$i][1])) {
            $allsavepoints[] = $i;
        }
    }
    for ($i = $open + 1; $i < $close; $i++) {
        if ($tokens[$i][1] === '{' || $tokens[$i][1] === '(') {
            // Skip nested brackets that are not an if-block on $oldversion (handled below).
            if (!($tokens[$i][1] === '(' && ($tokens[$i - 1][0] ?? 0) === T_IF)) {
                $i = closing($tokens, $i);
                continue;
            }
        }
        if ($tokens[$i][0] === T_IF && ($tokens[$i + 1][1] ?? '') === '(' && ($tokens[$i + 2][1] ?? '') === '$oldversion'
                && ($tokens[$i + 3][1] ?? '') === '<' && number($tokens[$i + 4] ?? [0, '']) !== null && ($tokens[$i + 5][1] ?? '') === ')'
                && ($tokens[$i + 6][1] ?? '') === '{') {
            $blockclose = closing($tokens, $i + 6);
            $blocks[] = ['version' => number($tokens[$i + 4]), 'line' => $tokens[$i][2], 'from' => $i + 6, 'to' => $blockclose];
            $i = $blockclose;
            continue;
        }
        if ($tokens[$i][0] === T_RETURN) {
            $returns[] = [$i, $tokens[$i + 1][1] ?? '', $tokens[$i + 2][1] ?? ''];
        }
    }

    // One `return true;`, the function's last statement.
    if (count($returns) !== 1 || strtolower($returns[0][1]) !== 'true' || $returns[0][2] !== ';' || $returns[0][0] + 3 !== $close) {
        $errors[] = "the upgrade function must end in one 'return true;' (found " . count($returns) . " top-level return statements)";
    }

    // Each block: one savepoint, with its own version, this plugin's type and name.
    $inblocks = [];
    $seen = [];
    $previous = null;
    foreach ($blocks as $block) {
        $v = $block['version'];
        if ($previous !== null && (float) $v <= (float) $previous) {
            $errors[] = "line {$block['line']}: version $v is not above the block before it ($previous)";
        }
        $previous = $v;
        if (isset($seen[$v])) {
            $errors[] = "line {$block['line']}: version $v has a second block";
        }
        $seen[$v] = true;
        $calls = array_values(array_filter($allsavepoints, fn($i) => $i > $block['from'] && $i < $block['to']));
        $inblocks = array_merge($inblocks, $calls);
        if (count($calls) !== 1) {
            $errors[] = "line {$block['line']}: the block for $v has " . count($calls) . " savepoint calls (one expected)";
            continue;
        }
        $call = $calls[0];
        $args = [];
        $argend = closing($tokens, $call + 1);
        $current = '';
        for ($j = $call + 2; $j < $argend; $j++) {
            if ($tokens[$j][1] === ',') {
                $args[] = $current;
                $current = '';
            } else {
                $current .= $tokens[$j][1];
            }
        }
        $args[] = $current;
        $expected = ['true', $v, "'$type'", "'$name'"];
        $function = $tokens[$call][1];
        $normalised = array_map(fn($a) => strtolower($a) === 'true' ? 'true' : str_replace('"', "'", $a), $args);
        if ($function !== 'upgrade_plugin_savepoint' || $normalised !== $expected) {
            $errors[] = "line {$tokens[$call][2]}: $function(" . implode(', ', $args) . ") in the block for $v; expected "
                . "upgrade_plugin_savepoint(" . implode(', ', $expected) . ")";
        }
    }
    foreach (array_diff($allsavepoints, $inblocks) as $call) {
        $errors[] = "line {$tokens[$call][2]}: a savepoint outside the if (\$oldversion < ...) blocks";
    }

    // No block above the plugin's version.
    if (is_file("$dir/version.php") && preg_match('/^\s*\$plugin->version\s*=\s*([\d.]+)/m', file_get_contents("$dir/version.php"), $m)) {
        foreach ($blocks as $block) {
            if ((float) $block['version'] > (float) $m[1]) {
                $errors[] = "line {$block['line']}: version {$block['version']} is above version.php's {$m[1]}";
            }
        }
    }
    echo "savepoints: " . count($blocks) . " upgrade blocks (" . implode(', ', array_column($blocks, 'version')) . "), "
        . count($allsavepoints) . " savepoint calls\n";
}

foreach ($errors as $error) {
    echo "  FAIL db/upgrade.php: $error\n";
}
echo $errors ? "savepoints: " . count($errors) . " finding(s)\n" : "savepoints: every block has its savepoint\n";
exit($errors ? 1 : 0);

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

namespace filter_hlsgate\tests\core;

use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\token_minter;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\token_minter::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\media_bases::class)]
/**
 * Token minting: PHP mints exactly the bytes of the shared vectors (tests/fixtures/token-vectors.json),
 * which the auth server's signViewToken also mints and its verifyViewToken judges
 * (tests/token-vectors.test.ts).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class TokenMinterTest extends TestCase {
    use each_case;

    /**
     * The shared vectors.
     *
     * @return array<string, mixed>
     */
    private static function vectors(): array {
        $file = dirname(__DIR__) . '/fixtures/token-vectors.json';
        return json_decode(file_get_contents($file), true, 32, JSON_THROW_ON_ERROR);
    }

    /**
     * The vectors a correct minter can produce.
     *
     * @return array<string, array{array<string, mixed>}>
     */
    public static function mintable_vectors(): array {
        $cases = [];
        foreach (self::vectors()['vectors'] as $vector) {
            if (isset($vector['claims'])) {
                $cases[$vector['name']] = [$vector];
            }
        }
        return $cases;
    }

    /**
     * Test: mints the bytes of the shared vectors.
     *
     * Every case of mintable_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_mints_the_bytes_of_the_shared_vectors(): void {
        $this->each_case(self::mintable_vectors(), $this->check_mints_the_bytes_of_the_shared_vectors(...));
    }

    /**
     * One case of test_mints_the_bytes_of_the_shared_vectors().
     *
     * @param array $vector one shared vector
     */
    private function check_mints_the_bytes_of_the_shared_vectors(array $vector): void {
        $minter = new token_minter($vector['kid'], $vector['secret']);
        $this->assertSame($vector['token'], $minter->mint($vector['claims']));
    }

    /**
     * Test: judges the res of the shared vectors as the server does.
     *
     * Every case of mintable_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_judges_the_res_of_the_shared_vectors_as_the_server_does(): void {
        $this->each_case(self::mintable_vectors(), $this->check_judges_the_res_of_the_shared_vectors_as_the_server_does(...));
    }

    /**
     * One case of test_judges_the_res_of_the_shared_vectors_as_the_server_does().
     *
     * @param array $vector one shared vector
     */
    private function check_judges_the_res_of_the_shared_vectors_as_the_server_does(array $vector): void {
        // The server's checkResource and media_bases apply one rule (nested bases included): every
        // vector the server refuses with resource_forbidden has a res PHP would never mint.
        $bases = media_bases::from_setting(implode("\n", self::vectors()['verify']['mediaBaseUrls']));
        $this->assertSame([], $bases->errors());
        $this->assertSame($vector['expect'] !== 'resource_forbidden', $bases->is_resource($vector['claims']['res']));
        if ($vector['expect'] !== 'resource_forbidden') {
            $this->assertSame($vector['claims']['res'], $bases->resource_for_url($vector['claims']['res'] . 'master.m3u8'));
        } else {
            $this->assertNotSame($vector['claims']['res'], $bases->resource_for_url($vector['claims']['res'] . 'master.m3u8'));
        }
    }

    /**
     * Test: vectors cover acceptance and each refusal.
     */
    public function test_vectors_cover_acceptance_and_each_refusal(): void {
        $expects = array_column(self::vectors()['vectors'], 'expect');
        foreach (['ok', 'token_expired', 'token_invalid', 'resource_forbidden'] as $expect) {
            $this->assertContains($expect, $expects);
        }
    }

    /**
     * Test: view claims order and optional claims.
     */
    public function test_view_claims_order_and_optional_claims(): void {
        $claims = token_minter::view_claims(
            'https://moodle.example.test',
            '42',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/',
            1799999990,
            300,
            'Ada Lovelace · ada@example.test',
            '7'
        );
        $this->assertSame(['iss', 'aud', 'sub', 'iat', 'exp', 'res', 'wm', 'cid'], array_keys($claims));
        $this->assertSame(1800000290, $claims['exp']);
        $valid = self::vectors()['vectors'][0];
        $this->assertSame('valid', $valid['name']);
        $this->assertSame($valid['claims'], $claims);
        $this->assertSame($valid['token'], (new token_minter($valid['kid'], $valid['secret']))->mint($claims));

        $minimal = token_minter::view_claims('i', 's', 'r', 10, 5, '', null);
        $this->assertSame(['iss' => 'i', 'aud' => 'hlsgate', 'sub' => 's', 'iat' => 10, 'exp' => 15, 'res' => 'r'], $minimal);
    }

    /**
     * Test: token shape.
     */
    public function test_token_shape(): void {
        $token = (new token_minter('k1', str_repeat('s', 32)))->mint(['sub' => "é/\u{2028}"]);
        $parts = explode('.', $token);
        $this->assertCount(3, $parts);
        foreach ($parts as $part) {
            $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]+$/', $part);
        }
        $this->assertSame('{"alg":"HS256","typ":"JWT","kid":"k1"}', base64_decode(strtr($parts[0], '-_', '+/')));
        $this->assertSame("{\"sub\":\"é/\u{2028}\"}", base64_decode(strtr($parts[1], '-_', '+/')));
        $this->assertSame(43, strlen($parts[2]));
    }

    /**
     * The bad keys.
     *
     * @return array<string, array{string, string}>
     */
    public static function bad_keys(): array {
        return [
            'empty kid' => ['', str_repeat('s', 32)],
            'kid with a quote' => ['k"1', str_repeat('s', 32)],
            'kid too long' => [str_repeat('k', 65), str_repeat('s', 32)],
            'short secret' => ['k1', str_repeat('s', 31)],
            'empty secret' => ['k1', ''],
        ];
    }

    /**
     * Test: refuses unusable keys.
     *
     * Every case of bad_keys(), each run as a data provider's would be (each_case).
     */
    public function test_refuses_unusable_keys(): void {
        $this->each_case(self::bad_keys(), $this->check_refuses_unusable_keys(...));
    }

    /**
     * One case of test_refuses_unusable_keys().
     *
     * @param string $kid the key id
     * @param string $secret the key
     */
    private function check_refuses_unusable_keys(string $kid, string $secret): void {
        try {
            new token_minter($kid, $secret);
            $this->fail('accepted');
        } catch (playback_error $e) {
            $this->assertInstanceOf(playback_error::class, $e);
        }
    }

    /**
     * Test: invalid utf8 claim is an exception not a warning.
     */
    public function test_invalid_utf8_claim_is_an_exception_not_a_warning(): void {
        $this->expectException(\JsonException::class);
        (new token_minter('k1', str_repeat('s', 32)))->mint(['wm' => "\xC3\x28"]);
    }
}

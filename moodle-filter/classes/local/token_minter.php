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
 * Mints the HS256 view token of DESIGN.md, byte for byte as the auth server's signViewToken does.
 *
 * Header `{"alg":"HS256","typ":"JWT","kid":...}` in that key order, the claims in the order given,
 * JSON as JavaScript's JSON.stringify writes it (no escaped slashes, raw Unicode, raw U+2028/U+2029),
 * base64url without padding. The shared vectors in tests/fixtures/token-vectors.json hold both
 * sides to the same bytes.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class token_minter {
    /** `aud` of every view token. */
    public const AUDIENCE = 'hlsgate';

    /** The auth server refuses shorter secrets. */
    public const MIN_SECRET_BYTES = 32;

    /** Key ids are short plain names: they travel in the token header and in configuration. */
    public const KID_PATTERN = '/^[A-Za-z0-9._-]{1,64}$/';

    /** JSON.stringify's output, in PHP. */
    public const JSON_FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_LINE_TERMINATORS
        | JSON_THROW_ON_ERROR;

    /** @var string key id, sent in the header */
    private string $kid;

    /** @var string HMAC key, UTF-8 bytes */
    private string $secret;

    /**
     * Constructor; checks the key once, so a bad setting never surfaces mid-request.
     *
     * @param string $kid key id, as configured on the auth server (HLSGATE_TOKEN_SECRETS=kid:secret)
     * @param string $secret the shared secret, at least 32 bytes
     * @throws playback_error 'error:notconfigured' when the key is unusable
     */
    public function __construct(string $kid, string $secret) {
        if (!preg_match(self::KID_PATTERN, $kid)) {
            throw new playback_error('error:notconfigured', 'The token key id is missing or not a plain name.');
        }
        if (strlen($secret) < self::MIN_SECRET_BYTES) {
            throw new playback_error('error:notconfigured', 'The token secret is shorter than 32 bytes.');
        }
        $this->kid = $kid;
        $this->secret = $secret;
    }

    /**
     * The claims of a view token, in the order both sides serialise them.
     *
     * @param string $issuer `iss`, a configured issuer of the auth server
     * @param string $subject `sub`, the viewer's id at the issuer
     * @param string $resource `res`, `<media base><dir>/`
     * @param int $issuedat `iat`, epoch seconds
     * @param int $lifetime seconds until `exp`
     * @param string|null $watermark `wm`, left out when null or empty
     * @param string|null $courseid `cid`, left out when null or empty
     * @return array<string, string|int>
     */
    public static function view_claims(
        string $issuer,
        string $subject,
        string $resource,
        int $issuedat,
        int $lifetime,
        ?string $watermark = null,
        ?string $courseid = null
    ): array {
        $claims = [
            'iss' => $issuer,
            'aud' => self::AUDIENCE,
            'sub' => $subject,
            'iat' => $issuedat,
            'exp' => $issuedat + $lifetime,
            'res' => $resource,
        ];
        if ($watermark !== null && $watermark !== '') {
            $claims['wm'] = $watermark;
        }
        if ($courseid !== null && $courseid !== '') {
            $claims['cid'] = $courseid;
        }
        return $claims;
    }

    /**
     * Signs the claims.
     *
     * @param array $claims serialised in the order given (array<string, mixed>)
     * @return string the compact JWT
     * @throws \JsonException when a claim is not valid UTF-8
     */
    public function mint(array $claims): string {
        $header = ['alg' => 'HS256', 'typ' => 'JWT', 'kid' => $this->kid];
        $signinginput = self::base64url(json_encode($header, self::JSON_FLAGS)) . '.'
            . self::base64url(json_encode($claims, self::JSON_FLAGS));
        return $signinginput . '.' . self::base64url(hash_hmac('sha256', $signinginput, $this->secret, true));
    }

    /**
     * Base64url without padding (RFC 7515).
     *
     * @param string $bytes
     * @return string
     */
    public static function base64url(string $bytes): string {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}

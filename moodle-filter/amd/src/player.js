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

/**
 * Builds a protected player for every placeholder the filter wrote on the page.
 *
 * The player bundle (video.js + the hlsgate plugin, filter_hlsgate/hlsgate-lazy) is loaded only
 * when the page has a placeholder. One batched call of the web service filter_hlsgate_get_playback
 * gives every player its first token and what to play (the master playlist on the media host);
 * afterwards each player asks again whenever it needs a fresh token.
 *
 * @module     filter_hlsgate/player
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
import Ajax from 'core/ajax';
import Config from 'core/config';
import Log from 'core/log';
import {eventTypes} from 'core_filters/events';

const SELECTOR = 'span.filter_hlsgate[data-hlsgate-src]';
const READY = 'data-hlsgate-ready';
const METHOD = 'filter_hlsgate_get_playback';
const SAVE_METHOD = 'filter_hlsgate_save_progress';
/** A prefetched token is handed out only while it has at least this many seconds left. */
const TOKEN_MARGIN = 30;

/** Web service errors after which a new request cannot help: the player shows "no access". */
const NO_ACCESS = [
    'requireloginerror', 'nopermissions', 'accessexception', 'coursehidden', 'activityiscurrentlyhidden',
    'error:nocontext', 'error:notallowed', 'error:wrongcontext', 'error:filenotfound', 'error:filegone',
    'error:notaplaylist', 'error:relativeuris', 'error:severalvideos', 'error:notconfigured', 'error:token',
    'error:notembedded', 'error:wrongarea', 'error:wrongcontextlevel'
];

/** @type {Object} site-wide options from the filter (playbackRates, aspectRatio, labels, unsupported) */
let settings = {};
/** @type {Promise|null} the player bundle, loaded once */
let bundle = null;
let cssChecked = false;

/**
 * Loads the player bundle.
 *
 * @returns {Promise<{VERSION: string, videojs: Function, create: Function}>}
 */
function loadBundle() {
    if (!bundle) {
        bundle = new Promise(function(resolve, reject) {
            require(['filter_hlsgate/hlsgate-lazy'], resolve, reject);
        });
    }
    return bundle;
}

/**
 * Adds video.js's stylesheet (shipped with this plugin) unless the page already has it, as it
 * does when the Video.js media player of Moodle is enabled.
 */
function ensureVideoJsCss() {
    if (cssChecked) {
        return;
    }
    cssChecked = true;
    var probe = document.createElement('div');
    probe.className = 'video-js';
    probe.style.cssText = 'position:absolute;left:-10000px;top:0;visibility:hidden';
    var bar = document.createElement('div');
    bar.className = 'vjs-control-bar';
    probe.appendChild(bar);
    document.body.appendChild(probe);
    var styled = window.getComputedStyle(bar).position === 'absolute';
    document.body.removeChild(probe);
    if (!styled) {
        var link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = Config.wwwroot + '/filter/hlsgate/videojs/video-js.min.css';
        document.head.appendChild(link);
    }
}

/**
 * Seconds a view token lives by its own claims (exp - iat, the server's clock on both sides), 0 when
 * they cannot be read.
 *
 * @param {string} token
 * @returns {number}
 */
function tokenLifetime(token) {
    try {
        var part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        var claims = JSON.parse(window.atob(part + '===='.slice(0, (4 - part.length % 4) % 4)));
        var lifetime = claims.exp - claims.iat;
        return isFinite(lifetime) && lifetime > 0 ? lifetime : 0;
    } catch (e) {
        return 0;
    }
}

/**
 * Shows a message in a placeholder, or hides it.
 *
 * @param {HTMLElement} element the message element
 * @param {string} text '' hides it
 */
function showMessage(element, text) {
    element.textContent = text;
    element.hidden = !text;
}

/**
 * Turns a web service failure into what the player understands: code 'no_access' when asking
 * again cannot help, a TypeError (network trouble, retried) when there was no answer, anything
 * else ends the session ("reload the page").
 *
 * @param {Object} failure the rejection of core/ajax
 * @returns {Error}
 */
function playerError(failure) {
    var errorcode = failure && failure.errorcode;
    var message = (failure && failure.message) || METHOD + ' failed';
    if (!errorcode) {
        return new TypeError(message);
    }
    var error = new Error(message);
    if (NO_ACCESS.indexOf(errorcode) !== -1) {
        error.code = 'no_access';
    }
    error.errorcode = errorcode;
    return error;
}

/**
 * The web service request of a placeholder.
 *
 * @param {HTMLElement} container
 * @returns {{methodname: string, args: {contextid: number, url: string, grant: string}}}
 */
function playbackRequest(container) {
    return {
        methodname: METHOD,
        args: {
            contextid: parseInt(container.getAttribute('data-hlsgate-contextid'), 10),
            url: container.getAttribute('data-hlsgate-src'),
            grant: container.getAttribute('data-hlsgate-grant') || ''
        }
    };
}

/**
 * Sends one progress report. While the page stays, through core/ajax; when it is going away
 * (hidden, pagehide) as a keepalive fetch to the same lib/ajax/service.php endpoint with the same
 * JSON body and the sesskey in the query, which is what core/ajax sends: such a request outlives
 * the page, and unlike navigator.sendBeacon its answer can still be read while the page lives.
 *
 * @param {HTMLElement} container the placeholder
 * @param {Object} report the tracker's report
 * @param {{keepalive: boolean}} options
 * @returns {Promise}
 */
function sendProgress(container, report, options) {
    var args = {
        contextid: parseInt(container.getAttribute('data-hlsgate-contextid'), 10),
        url: container.getAttribute('data-hlsgate-src'),
        grant: container.getAttribute('data-hlsgate-grant') || '',
        session: report.session,
        seq: report.seq,
        ranges: report.ranges.map(function(range) {
            return {start: range[0], end: range[1]};
        }),
        position: report.position,
        duration: report.duration,
        started: report.started
    };
    if (!options.keepalive || typeof window.fetch !== 'function') {
        return Promise.resolve(Ajax.call([{methodname: SAVE_METHOD, args: args}])[0]);
    }
    var url = Config.wwwroot + '/lib/ajax/service.php?sesskey=' + encodeURIComponent(Config.sesskey)
        + '&info=' + SAVE_METHOD;
    return window.fetch(url, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify([{index: 0, methodname: SAVE_METHOD, args: args}])
    }).then(function(response) {
        return response.json();
    }).then(function(answers) {
        var answer = answers && answers[0];
        if (answer && !answer.error) {
            return answer.data;
        }
        var failure = answer && answer.exception ? answer.exception : new Error(SAVE_METHOD + ' failed');
        throw failure;
    });
}

/**
 * The onPlayer hook of one player: progress reports and the resume offer (the bundle's
 * trackProgress, the same on either engine).
 *
 * @param {HTMLElement} container the placeholder
 * @param {Object} hlsgate the player bundle
 * @param {Object} playback the first answer of the web service (lastposition, duration)
 * @returns {Function|undefined}
 */
function progressHook(container, hlsgate, playback) {
    if (typeof hlsgate.trackProgress !== 'function') {
        return undefined;
    }
    return hlsgate.trackProgress({
        send: function(report, options) {
            return sendProgress(container, report, options);
        },
        onError: function(error) {
            Log.debug('filter_hlsgate: progress not saved: ' + (error && (error.errorcode || error.message)));
        },
        lastPosition: playback.lastposition || 0,
        duration: playback.duration || 0,
        labels: settings.resumeLabels
    });
}

/**
 * Builds one player in a placeholder.
 *
 * @param {HTMLElement} container the placeholder span
 * @param {HTMLElement} message its message element
 * @param {{create: Function}} hlsgate the player bundle
 * @param {Object} playback the first answer of the web service
 */
function build(container, message, hlsgate, playback) {
    var title = container.getAttribute('data-hlsgate-title') || '';
    var width = parseInt(container.getAttribute('data-hlsgate-width'), 10);
    var height = parseInt(container.getAttribute('data-hlsgate-height'), 10);
    var fallback = container.querySelector('.filter_hlsgate_fallback');
    var prefetched = playback;
    // The token's own lifetime (exp - iat, both the server's clock), counted from its arrival on
    // this page's monotonic clock: never the server's expiresat against the client's clock.
    var prefetchedAt = window.performance.now();
    var prefetchedLifetime = tokenLifetime(playback.token);

    var getToken = function() {
        var first = prefetched;
        prefetched = null;
        if (first && (window.performance.now() - prefetchedAt) / 1000 < prefetchedLifetime - TOKEN_MARGIN) {
            return Promise.resolve(first.token);
        }
        // Wrapped: core/ajax answers with a jQuery promise.
        return Promise.resolve(Ajax.call([playbackRequest(container)])[0]).then(function(result) {
            showMessage(message, '');
            return result.token;
        }, function(failure) {
            var error = playerError(failure);
            if (error.errorcode) {
                showMessage(message, error.message);
            }
            Log.debug('filter_hlsgate: no token: ' + error.message);
            throw error;
        });
    };

    var options = {
        src: playback.playlisturl,
        sessionUrl: playback.sessionurl,
        getToken: getToken,
        // Given here, not left to the token's wm claim: a second player of the same video joins
        // the first one's session and may never see a token of its own.
        watermark: playback.watermark || false,
        player: {
            fluid: true,
            aspectRatio: width > 0 && height > 0 ? width + ':' + height : (settings.aspectRatio || '16:9')
        }
    };
    if (Array.isArray(settings.playbackRates)) {
        options.playbackRates = settings.playbackRates;
    }
    if (settings.labels) {
        options.labels = settings.labels;
    }
    var onPlayer = progressHook(container, hlsgate, playback);
    if (onPlayer) {
        options.onPlayer = onPlayer;
    }
    if (width > 0) {
        container.style.maxWidth = width + 'px';
    }
    var target = document.createElement('span');
    target.className = 'filter_hlsgate_player';
    if (title) {
        target.setAttribute('aria-label', title);
    }
    container.insertBefore(target, message);
    try {
        var player = hlsgate.create(target, options);
        if (fallback) {
            fallback.hidden = true;
        }
        if (title && player && player.titleBar && typeof player.titleBar.update === 'function') {
            player.titleBar.update({title: title});
        }
        showCaptionsNotice(container, message, playback.captionsnotice);
    } catch (error) {
        // No MediaSource, a bad option...: keep the plain link and say why.
        Log.error('filter_hlsgate: ' + (error && error.message));
        container.removeChild(target);
        showMessage(message, settings.unsupported || String(error && error.message));
    }
}

/**
 * Under the player, for teachers only (the web service sends it only to holders of
 * filter/hlsgate:viewreport): why the captions are not switched on, or not there. Plain text.
 *
 * @param {HTMLElement} container the placeholder
 * @param {HTMLElement} message its message element (the notice goes before it)
 * @param {string} text '' or undefined: nothing to show
 */
function showCaptionsNotice(container, message, text) {
    if (!text) {
        return;
    }
    var notice = document.createElement('p');
    notice.className = 'filter_hlsgate_captionsnotice small text-muted mt-1 mb-0';
    notice.textContent = text;
    container.insertBefore(notice, message);
}

/**
 * Builds the players of the placeholders under a root that have none yet.
 *
 * @param {ParentNode} root
 * @returns {Promise<void>}
 */
function buildAll(root) {
    var containers = [];
    if (root.nodeType === Node.ELEMENT_NODE && root.matches(SELECTOR)) {
        containers.push(root);
    }
    if (root.querySelectorAll) {
        Array.prototype.push.apply(containers, root.querySelectorAll(SELECTOR));
    }
    containers = containers.filter(function(container) {
        return !container.hasAttribute(READY);
    });
    if (!containers.length) {
        return Promise.resolve();
    }
    ensureVideoJsCss();
    // One HTTP request for every player of the page.
    var answers = Ajax.call(containers.map(playbackRequest));
    return Promise.all(containers.map(function(container, index) {
        container.setAttribute(READY, 'loading');
        var message = document.createElement('span');
        message.className = 'filter_hlsgate_message alert alert-warning';
        message.setAttribute('role', 'alert');
        message.hidden = true;
        container.appendChild(message);
        return Promise.all([loadBundle(), Promise.resolve(answers[index])]).then(function(results) {
            container.setAttribute(READY, '1');
            build(container, message, results[0], results[1]);
            return undefined;
        }, function(failure) {
            container.setAttribute(READY, 'failed');
            var error = failure && failure.errorcode ? playerError(failure) : null;
            showMessage(message, error ? error.message : (settings.unsupported || String(failure && failure.message)));
            Log.error('filter_hlsgate: ' + (failure && failure.message));
        });
    })).then(function() {
        return undefined;
    });
}

let listening = false;

/**
 * Entry point, called once per page by the filter.
 *
 * @param {Object} options playbackRates, aspectRatio, labels (the player's), unsupported
 * @returns {Promise<void>}
 */
export const init = function(options) {
    settings = options || {};
    if (!listening && eventTypes) {
        listening = true;
        // Content added later (AJAX fragments, dynamic tabs) is announced by core_filters.
        document.addEventListener(eventTypes.filterContentUpdated, function(event) {
            var nodes = (event.detail && event.detail.nodes) || [];
            nodes.forEach(function(node) {
                buildAll(node);
            });
        });
    }
    return buildAll(document);
};

// For tests: what a web service failure becomes.
export {playerError};

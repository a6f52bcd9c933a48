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
 * when the page has a placeholder. Each player asks the web service filter_hlsgate_get_playback
 * for a view token whenever it needs one: on first play and again whenever the token has expired.
 *
 * @module     filter_hlsgate/player
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
define(['core/ajax', 'core/log', 'core_filters/events'], function(Ajax, Log, FilterEvents) {
    'use strict';

    var SELECTOR = 'span.filter_hlsgate[data-hlsgate-src]';
    var READY = 'data-hlsgate-ready';

    /** Web service errors after which a new request cannot help: the player shows "no access". */
    var NO_ACCESS = [
        'requireloginerror', 'nopermissions', 'accessexception', 'coursehidden', 'activityiscurrentlyhidden',
        'error:nocontext', 'error:notallowed', 'error:wrongcontext', 'error:filenotfound', 'error:filegone',
        'error:notaplaylist', 'error:relativeuris', 'error:severalvideos', 'error:notconfigured', 'error:token'
    ];

    /** @type {Object} site-wide options from the filter (sessionUrl, playbackRates, aspectRatio, labels, unsupported) */
    var settings = {};
    /** @type {Promise|null} the player bundle, loaded once */
    var bundle = null;

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
     * Shows a message under a player, or hides it.
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
        var message = (failure && failure.message) || 'filter_hlsgate_get_playback failed';
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
     * Builds one player in a placeholder.
     *
     * @param {HTMLElement} container the placeholder span
     * @param {{create: Function}} hlsgate the player bundle
     */
    function build(container, hlsgate) {
        var src = container.getAttribute('data-hlsgate-src');
        var contextid = parseInt(container.getAttribute('data-hlsgate-contextid'), 10);
        var title = container.getAttribute('data-hlsgate-title') || '';
        var width = parseInt(container.getAttribute('data-hlsgate-width'), 10);
        var height = parseInt(container.getAttribute('data-hlsgate-height'), 10);
        var fallback = container.querySelector('.filter_hlsgate_fallback');

        var video = document.createElement('video');
        video.className = 'video-js vjs-big-play-centered';
        video.setAttribute('controls', '');
        video.setAttribute('preload', 'none');
        video.setAttribute('playsinline', '');
        if (title) {
            video.setAttribute('aria-label', title);
        }
        video.setAttribute('data-setup', JSON.stringify({
            fluid: true,
            aspectRatio: width > 0 && height > 0 ? width + ':' + height : (settings.aspectRatio || '16:9')
        }));
        if (width > 0) {
            container.style.maxWidth = width + 'px';
        }
        var message = document.createElement('span');
        message.className = 'filter_hlsgate_message alert alert-warning';
        message.setAttribute('role', 'alert');
        message.hidden = true;

        var getToken = function() {
            var request = Ajax.call([{
                methodname: 'filter_hlsgate_get_playback',
                args: {contextid: contextid, url: src}
            }])[0];
            // Wrapped: core/ajax answers with a jQuery promise.
            return Promise.resolve(request).then(function(result) {
                showMessage(message, '');
                return result.token;
            }, function(failure) {
                var error = playerError(failure);
                if (error.errorcode) {
                    showMessage(message, error.message);
                }
                Log.debug('filter_hlsgate: no token for ' + src + ': ' + error.message);
                throw error;
            });
        };

        var options = {src: src, getToken: getToken};
        if (settings.sessionUrl) {
            options.sessionUrl = settings.sessionUrl;
        }
        if (Array.isArray(settings.playbackRates)) {
            options.playbackRates = settings.playbackRates;
        }
        if (settings.labels) {
            options.labels = settings.labels;
        }

        if (fallback) {
            fallback.hidden = true;
        }
        container.appendChild(video);
        container.appendChild(message);
        try {
            var player = hlsgate.create(video, options);
            if (title && player && player.titleBar && typeof player.titleBar.update === 'function') {
                player.titleBar.update({title: title});
            }
        } catch (error) {
            // No MediaSource, bad option...: keep the plain link and say why.
            Log.error('filter_hlsgate: ' + (error && error.message));
            if (video.parentNode) {
                video.parentNode.removeChild(video);
            }
            if (fallback) {
                fallback.hidden = false;
            }
            showMessage(message, settings.unsupported || String(error && error.message));
        }
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
        containers.forEach(function(container) {
            container.setAttribute(READY, 'loading');
        });
        return loadBundle().then(function(hlsgate) {
            containers.forEach(function(container) {
                container.setAttribute(READY, '1');
                build(container, hlsgate);
            });
            return undefined;
        }, function(error) {
            Log.error('filter_hlsgate: the player could not be loaded: ' + (error && error.message));
            containers.forEach(function(container) {
                container.removeAttribute(READY);
            });
        });
    }

    var listening = false;

    return {
        /**
         * Entry point, called once per page by the filter.
         *
         * @param {Object} options sessionUrl, playbackRates, aspectRatio, labels (the player's), unsupported
         * @returns {Promise<void>}
         */
        init: function(options) {
            settings = options || {};
            if (!listening && FilterEvents && FilterEvents.eventTypes) {
                listening = true;
                // Content added later (AJAX fragments, dynamic tabs) is announced by core_filters.
                document.addEventListener(FilterEvents.eventTypes.filterContentUpdated, function(event) {
                    var nodes = (event.detail && event.detail.nodes) || [];
                    nodes.forEach(function(node) {
                        buildAll(node);
                    });
                });
            }
            return buildAll(document);
        },
        /** For tests: what a web service failure becomes. */
        playerError: playerError
    };
});

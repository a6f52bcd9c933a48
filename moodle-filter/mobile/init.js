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
 * The Moodle App's start-up script of filter_hlsgate (handed out by classes/output/mobile.php).
 *
 * The app evaluates it with its services as `this` (CoreSitePluginsInit → CoreCompile.executeJavascript:
 * `this.CoreFilterDelegate`, `this.CoreSitesProvider`, `this.CoreNetwork`, ...). It registers a filter
 * handler named after the filter, so the app calls its handleHtml after every text it shows with
 * `core-format-text` (the text was filtered on the server: the placeholders are in it). handleHtml
 * mounts a player in each placeholder:
 * - the player bundle (video.js + hlsgate) is loaded once, on first use, from the site: the plugin's
 *   amd/build file through a script element (the app has no AMD loader; a one-shot `define` takes it);
 * - the view token comes from `site.read('filter_hlsgate_get_playback')` with every cache off, so no
 *   token and no query ever land in the app's web-service cache;
 * - it plays in query mode: the app's web view is another site than the media host, where cookies
 *   would be third-party (blocked on iOS);
 * - progress goes through `site.write('filter_hlsgate_save_progress')`, also when the app goes to the
 *   background (Cordova's `pause`);
 * - offline, it says so in the user's language and waits for the connection; the rest of the page is
 *   not touched.
 * Followed: Moodle App 5.0 (moodlehq/moodleapp: CoreFilterDelegate / CoreFilterHandler, core-format-text,
 * CoreSitePluginsInit.executeMethodAndJS, CoreSiteWSPreSets).
 */
(function(app, config) {
    'use strict';

    var FILTER = 'hlsgate';
    var SELECTOR = 'span.filter_hlsgate';
    var READY = 'data-hlsgate-ready';
    var METHOD = 'filter_hlsgate_get_playback';
    var SAVE_METHOD = 'filter_hlsgate_save_progress';
    var TOKEN_MARGIN = 30;
    // Nothing of these calls is read from or kept in the app's cache (CoreSiteWSPreSets).
    var NO_CACHE = {getFromCache: false, saveToCache: false, emergencyCache: false, reusePending: false};
    var NO_ACCESS = [
        'requireloginerror', 'nopermissions', 'coursehidden', 'activityiscurrentlyhidden', 'invalidrecord',
        'error:nocontext', 'error:notallowed', 'error:wrongcontext', 'error:filenotfound', 'error:filegone',
        'error:notaplaylist', 'error:relativeuris', 'error:severalvideos', 'error:notconfigured', 'error:token',
        'error:notembedded', 'error:wrongarea', 'error:wrongcontextlevel'
    ];
    // The functions are not in the service of the app's token (an older plugin, or the service is off).
    var NO_SERVICE = ['accessexception', 'servicenotavailable', 'webservicesnotenabled', 'invalidtoken'];

    var bundles = {};
    var styled = {};
    var players = [];

    /**
     * Whether the device has a connection, as the app sees it.
     *
     * @returns {boolean}
     */
    function online() {
        if (app.CoreNetwork && typeof app.CoreNetwork.isOnline === 'function') {
            return app.CoreNetwork.isOnline();
        }
        return window.navigator.onLine !== false;
    }

    /**
     * The site's address, without a trailing slash.
     *
     * @param {Object} site CoreSite
     * @returns {string}
     */
    function siteUrl(site) {
        return String(site.getURL()).replace(/\/+$/, '');
    }

    /**
     * Adds a stylesheet of the plugin once per site.
     *
     * @param {string} url
     */
    function addStyles(url) {
        if (styled[url]) {
            return;
        }
        styled[url] = true;
        var link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = url;
        document.head.appendChild(link);
    }

    /**
     * The player bundle of a site, loaded once: the AMD file of the plugin, taken by a one-shot define.
     *
     * @param {string} base the site's address
     * @returns {Promise<Object>} the bundle (create, trackProgress, videojs, VERSION)
     */
    function loadBundle(base) {
        if (!bundles[base]) {
            bundles[base] = new Promise(function(resolve, reject) {
                var hadDefine = Object.prototype.hasOwnProperty.call(window, 'define');
                var previous = window.define;
                var loaded = null;
                var restore = function() {
                    if (hadDefine) {
                        window.define = previous;
                    } else {
                        delete window.define;
                    }
                };
                // Moodle's build names the module: define(name, deps, factory); the factory is the last argument.
                var take = function() {
                    var make = arguments[arguments.length - 1];
                    if (!loaded && typeof make === 'function') {
                        loaded = make();
                    }
                };
                take.amd = {};
                window.define = take;
                var script = document.createElement('script');
                script.async = true;
                script.src = base + '/filter/hlsgate/amd/build/hlsgate-lazy.min.js?v=' + encodeURIComponent(config.version);
                script.onload = function() {
                    restore();
                    if (loaded && typeof loaded.create === 'function') {
                        resolve(loaded);
                    } else {
                        delete bundles[base];
                        reject(new Error('filter_hlsgate: the player bundle did not load'));
                    }
                };
                script.onerror = function() {
                    restore();
                    delete bundles[base];
                    reject(new TypeError('filter_hlsgate: the player bundle could not be fetched'));
                };
                document.head.appendChild(script);
            });
        }
        return bundles[base];
    }

    /**
     * Shows a message in a placeholder, or hides it.
     *
     * @param {HTMLElement} placeholder
     * @param {string} text '' hides it
     */
    function showMessage(placeholder, text) {
        var message = placeholder.querySelector('.filter_hlsgate_message');
        if (!message) {
            message = document.createElement('span');
            message.className = 'filter_hlsgate_message alert alert-warning';
            message.setAttribute('role', 'alert');
            placeholder.appendChild(message);
        }
        message.textContent = text;
        message.hidden = !text;
    }

    /**
     * What a failed web-service call means for the viewer.
     *
     * @param {Object} failure the app's CoreWSError (errorcode, message) or a network error
     * @returns {{text: string, code: string, offline: boolean}}
     */
    function describe(failure) {
        var errorcode = failure && failure.errorcode ? String(failure.errorcode) : '';
        if (!errorcode) {
            return {text: online() ? config.labels.network : config.strings.offline, code: '', offline: !online()};
        }
        if (NO_SERVICE.indexOf(errorcode) !== -1) {
            return {text: config.strings.noservice, code: errorcode, offline: false};
        }
        if (NO_ACCESS.indexOf(errorcode) !== -1) {
            return {text: (failure.message && errorcode.indexOf('error:') === 0) ? failure.message : config.strings.noaccess,
                code: errorcode, offline: false};
        }
        return {text: failure.message || config.labels.networkFatal, code: errorcode, offline: false};
    }

    /**
     * Seconds a view token lives by its own claims (exp - iat), 0 when they cannot be read.
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
     * The arguments of a placeholder's calls; null when it lacks them.
     *
     * @param {HTMLElement} placeholder
     * @returns {{contextid: number, url: string, grant: string}|null}
     */
    function argsOf(placeholder) {
        var contextid = parseInt(placeholder.getAttribute('data-hlsgate-contextid'), 10);
        var url = placeholder.getAttribute('data-hlsgate-src') || '';
        if (!(contextid > 0) || url === '') {
            return null;
        }
        return {contextid: contextid, url: url, grant: placeholder.getAttribute('data-hlsgate-grant') || ''};
    }

    /**
     * Disposes the players whose placeholder left the page (the app replaced the text).
     */
    function forgetRemoved() {
        players = players.filter(function(entry) {
            if (entry.placeholder.isConnected) {
                return true;
            }
            if (entry.tracker) {
                entry.tracker.dispose();
            }
            if (entry.player && !entry.player.isDisposed()) {
                entry.player.dispose();
            }
            return false;
        });
    }

    /**
     * Builds the player of one placeholder.
     *
     * @param {Object} site CoreSite
     * @param {HTMLElement} placeholder
     * @param {Object} args its call arguments
     * @param {Object} hlsgate the bundle
     * @param {Object} playback the first answer of filter_hlsgate_get_playback
     */
    function build(site, placeholder, args, hlsgate, playback) {
        var entry = {placeholder: placeholder, player: null, tracker: null};
        var prefetched = playback;
        var prefetchedAt = window.performance.now();
        var prefetchedLifetime = tokenLifetime(playback.token);
        var getToken = function() {
            var first = prefetched;
            prefetched = null;
            if (first && (window.performance.now() - prefetchedAt) / 1000 < prefetchedLifetime - TOKEN_MARGIN) {
                return Promise.resolve(first.token);
            }
            return site.read(METHOD, args, NO_CACHE).then(function(result) {
                showMessage(placeholder, '');
                return result.token;
            }, function(failure) {
                var described = describe(failure);
                var error = described.code ? new Error(described.text) : new TypeError(described.text);
                if (described.code && NO_ACCESS.indexOf(described.code) !== -1) {
                    error.code = 'no_access';
                }
                if (described.code || described.offline) {
                    showMessage(placeholder, described.text);
                }
                throw error;
            });
        };
        var width = parseInt(placeholder.getAttribute('data-hlsgate-width'), 10);
        var height = parseInt(placeholder.getAttribute('data-hlsgate-height'), 10);
        var title = placeholder.getAttribute('data-hlsgate-title') || '';
        var options = {
            src: playback.playlisturl,
            sessionUrl: playback.sessionurl,
            getToken: getToken,
            signing: 'query',
            watermark: playback.watermark || false,
            labels: config.labels,
            player: {
                fluid: true,
                aspectRatio: width > 0 && height > 0 ? width + ':' + height : (config.aspectRatio || '16:9')
            }
        };
        if (Array.isArray(config.playbackRates)) {
            options.playbackRates = config.playbackRates;
        }
        if (typeof hlsgate.trackProgress === 'function') {
            options.onPlayer = hlsgate.trackProgress({
                send: function(report) {
                    return site.write(SAVE_METHOD, {
                        contextid: args.contextid,
                        url: args.url,
                        grant: args.grant,
                        session: report.session,
                        seq: report.seq,
                        ranges: report.ranges.map(function(range) {
                            return {start: range[0], end: range[1]};
                        }),
                        position: report.position,
                        duration: report.duration,
                        started: report.started
                    }, NO_CACHE);
                },
                onTracker: function(tracker) {
                    entry.tracker = tracker;
                },
                lastPosition: playback.lastposition || 0,
                duration: playback.duration || 0,
                labels: config.resumeLabels
            });
        }
        if (width > 0) {
            placeholder.style.maxWidth = width + 'px';
        }
        var target = document.createElement('span');
        target.className = 'filter_hlsgate_player';
        if (title) {
            target.setAttribute('aria-label', title);
        }
        placeholder.insertBefore(target, placeholder.querySelector('.filter_hlsgate_message'));
        try {
            entry.player = hlsgate.create(target, options);
            var fallback = placeholder.querySelector('.filter_hlsgate_fallback');
            if (fallback) {
                fallback.hidden = true;
            }
            if (title && entry.player.titleBar && typeof entry.player.titleBar.update === 'function') {
                entry.player.titleBar.update({title: title});
            }
            players.push(entry);
            placeholder.hlsgatePlayer = entry.player;
        } catch (error) {
            placeholder.removeChild(target);
            showMessage(placeholder, config.strings.unsupported);
        }
    }

    /**
     * Mounts the player of one placeholder: its token and the bundle, then the player.
     *
     * @param {Object} site CoreSite
     * @param {HTMLElement} placeholder
     * @returns {Promise<void>} never rejected: a failure is shown in the placeholder
     */
    function mount(site, placeholder) {
        var args = argsOf(placeholder);
        if (!args) {
            placeholder.setAttribute(READY, 'failed');
            showMessage(placeholder, config.strings.incomplete);
            return Promise.resolve();
        }
        if (!online()) {
            placeholder.setAttribute(READY, 'offline');
            showMessage(placeholder, config.strings.offline);
            return Promise.resolve();
        }
        placeholder.setAttribute(READY, 'loading');
        var base = siteUrl(site);
        addStyles(base + '/filter/hlsgate/videojs/video-js.min.css');
        return Promise.all([loadBundle(base), site.read(METHOD, args, NO_CACHE)]).then(function(results) {
            if (!placeholder.isConnected) {
                // The app replaced the text meanwhile: nothing to build.
                return;
            }
            placeholder.setAttribute(READY, '1');
            showMessage(placeholder, '');
            build(site, placeholder, args, results[0], results[1]);
        }, function(failure) {
            var described = describe(failure);
            placeholder.setAttribute(READY, described.offline ? 'offline' : 'failed');
            if (placeholder.isConnected) {
                showMessage(placeholder, described.text);
            }
        });
    }

    /**
     * The site of a handleHtml call.
     *
     * @param {string|undefined} siteId
     * @returns {Promise<Object>}
     */
    function siteOf(siteId) {
        var sites = app.CoreSitesProvider;
        if (siteId && typeof sites.getSite === 'function') {
            return Promise.resolve(sites.getSite(siteId));
        }
        return Promise.resolve(sites.getCurrentSite());
    }

    var handler = {
        name: 'filter_hlsgate',
        filterName: FILTER,
        isEnabled: function() {
            return Promise.resolve(true);
        },
        // The text was filtered on the server; nothing to do with it here.
        filter: function(text) {
            return text;
        },
        shouldBeApplied: function() {
            return true;
        },
        handleHtml: function(container, filter, options, viewContainerRef, component, componentId, siteId) {
            forgetRemoved();
            var placeholders = Array.prototype.filter.call(container.querySelectorAll(SELECTOR), function(placeholder) {
                var state = placeholder.getAttribute(READY);
                return !state || state === 'offline';
            });
            if (!placeholders.length) {
                return Promise.resolve();
            }
            return siteOf(siteId).then(function(site) {
                if (!site) {
                    return undefined;
                }
                return Promise.all(placeholders.map(function(placeholder) {
                    return mount(site, placeholder);
                })).then(function() {
                    return undefined;
                });
            });
        }
    };

    // Back online: the placeholders that waited for the connection load.
    window.addEventListener('online', function() {
        var waiting = document.querySelectorAll(SELECTOR + '[' + READY + '="offline"]');
        if (waiting.length) {
            siteOf().then(function(site) {
                Array.prototype.forEach.call(waiting, function(placeholder) {
                    mount(site, placeholder);
                });
            });
        }
    });
    // Cordova's pause: the app goes to the background, and may never come back; what was watched is sent now.
    document.addEventListener('pause', function() {
        forgetRemoved();
        players.forEach(function(entry) {
            if (entry.tracker) {
                entry.tracker.flush(true);
            }
        });
    }, false);

    app.CoreFilterDelegate.registerHandler(handler);
    return true;
})(this, HLSGATE_APP_CONFIG);

/**
 * The Moodle App, as far as filter_hlsgate meets it — a page for demo/e2e/moodle-app.spec.ts, served
 * from its own origin. It follows Moodle App 5.0 (moodlehq/moodleapp, main branch; read for this:
 * src/core/features/siteplugins/services/siteplugins-init.ts, src/core/features/compile/services/compile.ts,
 * src/core/features/filter/services/filter-delegate.ts and handlers/default-filter.ts,
 * src/core/directives/format-text.ts, src/core/classes/sites/authenticated-site.ts):
 *
 * - start-up (CoreSitePluginsInit): `tool_mobile_get_plugins_supporting_mobile`, then for each handler
 *   with an `init`, `tool_mobile_get_content` (getFromCache false), and its `javascript` is evaluated
 *   with `this` = an object holding the app's services (CoreCompile.executeJavascript: a direct eval in a
 *   function called on that object). The services given here are the ones the filter's script may use:
 *   `CoreFilterDelegate.registerHandler`, `CoreSitesProvider.getCurrentSite()/getSite()`;
 * - a site (CoreAuthenticatedSite): `read` and `write` over Moodle's REST endpoint with the token,
 *   `moodlewssettingfilter` and `moodlewssettingfileurl` on as the app sends them, a web-service
 *   cache that `read` uses unless told not to (defaults: read getFromCache/saveToCache true; write
 *   false), errors as the app's CoreWSError (errorcode, message) and network failures without one;
 * - a text (core-format-text): the server-filtered HTML put in with innerHTML, then
 *   CoreFilterDelegate.handleHtml: every filter of `core_filters_get_available_in_context` that has an
 *   enabled handler which should be applied gets handleHtml(container, filter, options, viewContainerRef,
 *   component, componentId, siteId); a handler's failure is logged and the others go on.
 *
 * Parameters in the page's query: site (Moodle's URL), token (from login/token.php).
 */
(function () {
  'use strict';
  const params = new URLSearchParams(window.location.search);
  const siteUrl = params.get('site');
  const token = params.get('token');
  const SITE_ID = 'site-under-test';

  const calls = [];
  const errors = [];
  const othersFailed = [];
  const cache = new Map();
  const handlers = [];

  /** Moodle's PHP-array form of a value (CoreWS does the same before it posts). */
  function flatten(prefix, value, out) {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => flatten(`${prefix}[${index}]`, item, out));
    } else if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) flatten(prefix ? `${prefix}[${key}]` : key, item, out);
    } else if (typeof value === 'boolean') {
      out.append(prefix, value ? '1' : '0');
    } else {
      out.append(prefix, String(value));
    }
  }

  async function rest(method, data, presets) {
    const key = `${method}:${JSON.stringify(data)}`;
    calls.push({ method, data, presets, at: performance.now() });
    if (presets.getFromCache && cache.has(key)) return cache.get(key);
    const body = new URLSearchParams();
    flatten('', data, body);
    body.append('wstoken', token);
    body.append('wsfunction', method);
    body.append('moodlewsrestformat', 'json');
    body.append('moodlewssettingfilter', 'true');
    body.append('moodlewssettingfileurl', 'true');
    let answer;
    try {
      const response = await fetch(`${siteUrl}/webservice/rest/server.php?moodlewsrestformat=json&wsfunction=${method}`, {
        method: 'POST',
        body,
      });
      answer = await response.json();
    } catch (error) {
      // The app's CoreNetworkError: no errorcode.
      throw new TypeError(`connection error: ${error && error.message}`);
    }
    if (answer && answer.exception) {
      const error = new Error(answer.message);
      error.errorcode = answer.errorcode;
      error.exception = answer.exception;
      throw error;
    }
    if (presets.saveToCache) cache.set(key, answer);
    return answer;
  }

  const site = {
    getId: () => SITE_ID,
    getURL: () => siteUrl,
    getToken: () => token,
    read: (method, data, presets = {}) => rest(method, data, { getFromCache: true, saveToCache: true, ...presets }),
    write: (method, data, presets = {}) =>
      rest(method, data, { ...presets, getFromCache: false, saveToCache: false, emergencyCache: false }),
  };

  // What CoreCompile.injectLibraries gives a site plugin's script, as far as this filter uses it.
  const instance = {
    HANDLER_DISABLED: 'core_site_plugins_helper_handler_disabled',
    CoreFilterDelegate: {
      registerHandler(handler) {
        handlers.push(handler);
        return true;
      },
    },
    CoreSitesProvider: {
      getCurrentSite: () => site,
      getSite: async () => site,
      getCurrentSiteId: () => SITE_ID,
    },
  };

  /** CoreCompile.executeJavascript: eval with `this` = the instance. */
  function executeJavascript(javascript) {
    return function () {
      return eval(javascript); // eslint-disable-line no-eval
    }.call(instance);
  }

  /** CoreSitePluginsInit: the plugins, their handlers, and each handler's init script. */
  async function start() {
    const plugins = await site.read('tool_mobile_get_plugins_supporting_mobile', {}, { getFromCache: false });
    const results = [];
    for (const plugin of plugins.plugins) {
      const parsed = JSON.parse(plugin.handlers || '{}');
      for (const [name, schema] of Object.entries(parsed)) {
        if (!schema.init) continue;
        const content = await site.read(
          'tool_mobile_get_content',
          { component: plugin.component, method: schema.init, args: [{ name: 'applang', value: 'en' }, { name: 'appversioncode', value: '50000' }] },
          { getFromCache: false, deleteCacheIfWSError: true },
        );
        let jsResult;
        try {
          jsResult = content.javascript ? executeJavascript(content.javascript) : undefined;
        } catch (error) {
          // Other plugins' init scripts (core's mod_subsection, …) build on app classes this page does
          // not reproduce; the real app runs them. Only this plugin's failures count as errors.
          (plugin.component === 'filter_hlsgate' ? errors : othersFailed).push(`init of ${plugin.component}/${name}: ${error && error.message}`);
        }
        results.push({ component: plugin.component, handler: name, delegate: schema.delegate, jsResult });
      }
    }
    return results;
  }

  /** core-format-text with filters on, for a text of a module (contextlevel module, instance = cmid). */
  async function formatText(html, cmid, target) {
    const element = document.createElement('div');
    element.className = 'core-format-text';
    const div = document.createElement('div');
    div.innerHTML = html;
    while (div.firstChild) element.appendChild(div.firstChild);
    target.appendChild(element);
    const available = await site.read('core_filters_get_available_in_context', { contexts: [{ contextlevel: 'module', instanceid: cmid }] });
    const options = { clean: false, singleLine: false, courseId: undefined, wsNotFiltered: false };
    for (const filter of available.filters) {
      if (filter.localstate === -1 || (filter.localstate === 0 && filter.inheritedstate === -1)) continue;
      const handler = handlers.find((h) => h.filterName === filter.filter);
      if (!handler || !(await handler.isEnabled()) || !handler.shouldBeApplied(options, site)) continue;
      try {
        await handler.handleHtml(element, filter, options, undefined, 'mod_page', cmid, SITE_ID);
      } catch (error) {
        errors.push(`handleHtml of ${filter.filter}: ${error && error.message}`);
      }
    }
    return element;
  }

  /** A Page of a course as the app reads it (mod_page_get_pages_by_courses: filtered on the server). */
  async function pageContent(courseid, cmid) {
    const answer = await site.read('mod_page_get_pages_by_courses', { courseids: [courseid] });
    const page = answer.pages.find((p) => p.coursemodule === cmid);
    if (!page) throw new Error(`no page ${cmid} in course ${courseid}`);
    return page.content;
  }

  window.hlsgateApp = { site, calls, errors, othersFailed, cache, handlers, start, formatText, pageContent };
})();

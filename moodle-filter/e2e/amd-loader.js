/**
 * The smallest AMD loader the test needs, standing in for Moodle's RequireJS: named define(),
 * require(deps, callback, errback), and modules fetched from /requirejs/<name> (which names an
 * anonymous module on the server, as Moodle's lib/requirejs.php does).
 */
(function() {
    'use strict';
    var modules = {};

    function entry(name, load) {
        if (!modules[name]) {
            var record = {};
            record.promise = new Promise(function(resolve, reject) {
                record.resolve = resolve;
                record.reject = reject;
            });
            modules[name] = record;
            if (load) {
                var script = document.createElement('script');
                script.src = '/requirejs/' + name;
                script.onerror = function() {
                    record.reject(new Error('cannot load ' + name));
                };
                document.head.appendChild(script);
            }
        }
        return modules[name];
    }

    window.require = function(deps, callback, errback) {
        Promise.all(deps.map(function(name) {
            return entry(name, true).promise;
        })).then(function(values) {
            if (callback) {
                callback.apply(null, values);
            }
        }, function(error) {
            if (errback) {
                errback(error);
            } else {
                console.error(error);
            }
        });
    };

    window.define = function(name, deps, factory) {
        if (typeof name !== 'string') {
            throw new Error('anonymous define() reached the page: the server should have named it');
        }
        if (typeof deps === 'function') {
            factory = deps;
            deps = [];
        }
        var record = entry(name, false);
        window.require(deps, function() {
            record.resolve(factory.apply(null, arguments));
        }, record.reject);
    };
    window.define.amd = {};
})();

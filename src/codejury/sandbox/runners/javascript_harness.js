// Runs inside the sandbox as `node -e <this> <report_fd>`. stdin: "len(code) len(tests)\n" + blobs.
// The candidate and then the tests run as two classic scripts in one global scope; `require`
// hands the tests a counting `assert`, so the report tells how many assertions passed. Everything
// here lives inside one function, so the candidate's global names cannot clash with it.
(function harness() {
  'use strict';
  const nodeRequire = require;
  const fs = nodeRequire('fs');
  const vm = nodeRequire('vm');

  const reportFd = Number(process.argv[1]);
  const data = fs.readFileSync(0);
  const nl = data.indexOf(10);
  const [nCode, nTests] = data.subarray(0, nl).toString().split(' ').map(Number);
  const code = data.subarray(nl + 1, nl + 1 + nCode).toString('utf8');
  const tests = data.subarray(nl + 1 + nCode, nl + 1 + nCode + nTests).toString('utf8');
  const state = { passed: 0, total: 0, phase: 'load', done: false };

  function report(status, message, failure) {
    if (state.done) return;
    state.done = true;
    const use = process.resourceUsage();
    const out = JSON.stringify({
      status, message: String(message || '').slice(0, 1000), failure: failure || null,
      passed: state.passed, total: state.total,
      usage: [(use.userCPUTime + use.systemCPUTime) / 1e6, use.maxRSS / 1024],
    });
    try { fs.writeSync(reportFd, out); fs.closeSync(reportFd); } catch (e) { /* reader gone */ }
  }

  function lineIn(err, file) {
    const match = String((err && err.stack) || '').match(new RegExp(file.replace('.', '\\.') + ':(\\d+)'));
    return match ? Number(match[1]) : null;
  }

  function describe(err) {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    return `thrown: ${String(err)}`;
  }

  function onError(err) {
    let status = state.phase === 'tests' ? 'failed' : 'error';
    let message = describe(err);
    if (err && err.code === 'MODULE_NOT_FOUND') {
      status = 'environment';
      message = `module not available in the sandbox: ${String(err.message).split('\n')[0]}`;
    } else if (err instanceof RangeError && /allocation failed|out of memory/i.test(err.message)) {
      status = 'out_of_memory';
    }
    let failure = null;
    if (status === 'failed') {
      state.total += err && err.code === 'ERR_ASSERTION' ? 0 : 1;
      const line = lineIn(err, 'tests.js');
      const text = line ? (tests.split('\n')[line - 1] || '').trim() : '';
      failure = [line, text, message.slice(0, 1000)];
    } else if (status === 'error') {
      const line = lineIn(err, 'solution.js');
      if (line) message += ` (solution line ${line})`;
    }
    report(status, message, failure);
    process.exit(0);
  }

  function counted(fn, cache) {
    if (cache.has(fn)) return cache.get(fn);
    const proxy = new Proxy(fn, {
      apply(target, self, args) {
        state.total += 1;
        const value = Reflect.apply(target, self, args);
        state.passed += 1;
        return value;
      },
      get(target, key) {
        const value = Reflect.get(target, key);
        const wrap = typeof value === 'function' && typeof key === 'string' && /^[a-z]/.test(key);
        return wrap ? counted(value, cache) : value;
      },
    });
    cache.set(fn, proxy);
    return proxy;
  }

  const proxies = new Map();
  const assertNames = new Set(['assert', 'node:assert', 'assert/strict', 'node:assert/strict']);
  globalThis.require = (name) =>
    assertNames.has(name) ? counted(nodeRequire(name), proxies) : nodeRequire(name);
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  process.on('exit', (code) => {
    if (code) report('failed', `exited with code ${code}`, null);
    else report('passed');
  });
  vm.runInThisContext(code, { filename: 'solution.js' });
  state.phase = 'tests';
  vm.runInThisContext(tests, { filename: 'tests.js' });
})();

/**
 * The source of the worker that runs an Actions v1 script. A worker, because `zitadel/http`'s fetch is
 * synchronous in ZITADEL (goja): the script's thread blocks on Atomics.wait while the main thread, whose
 * event loop stays free (so an in-process endpoint can answer), performs the request. Plain JavaScript
 * evaluated as a CommonJS worker, so it needs no loader.
 */
export const ACTION_WORKER_SOURCE = String.raw`
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const vm = require('node:vm');
const { script, name, user, context, port, signal, timeoutMs } = workerData;
const flag = new Int32Array(signal);
const userGrants = [];
const logs = [];

// http_module.go parseHeaders: a string value is split at commas, an array taken as it is.
function parseHeaders(headers) {
  const result = {};
  for (const key of Object.keys(headers || {})) {
    const value = headers[key];
    const values = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : [];
    result[key] = (result[key] || []).concat(values.map((v) => v.trim()));
  }
  return result;
}

// http_module.go fetch: GET with JSON headers by default; a headers object replaces the defaults; the body
// is always JSON-marshalled (a string body is sent as a JSON string); any other key is refused.
function fetch(url, init) {
  if (arguments.length === 0) throw new Error('no url provided');
  if (arguments.length > 2) throw new Error('too many args');
  const request = { url: String(url), method: 'GET', headers: { 'Content-Type': ['application/json'], Accept: ['application/json'] } };
  if (arguments.length === 2) {
    for (const key of Object.keys(Object(init))) {
      if (key === 'headers') request.headers = parseHeaders(init.headers);
      else if (key === 'method') request.method = String(init.method);
      else if (key === 'body') request.body = JSON.stringify(init.body);
      else throw new Error('key is invalid');
    }
  }
  Atomics.store(flag, 0, 0);
  port.postMessage(request);
  if (Atomics.wait(flag, 0, 0, timeoutMs + 1000) === 'timed-out') throw new Error('context deadline exceeded');
  const reply = receiveMessageOnPort(port);
  if (!reply) throw new Error('no reply from the request');
  const r = reply.message;
  if (r.error) throw new Error(r.error);
  return { status: r.status, body: r.body, json() { return JSON.parse(r.body); }, text() { return r.body; } };
}

const modules = {
  'zitadel/http': { fetch },
  'zitadel/log': { log: (m) => logs.push(String(m)), warn: (m) => logs.push('warn: ' + m), error: (m) => logs.push('error: ' + m) },
};
const sandbox = {
  require(moduleName) {
    if (Object.prototype.hasOwnProperty.call(modules, moduleName)) return modules[moduleName];
    throw new Error('Invalid module "' + moduleName + '"');
  },
};
const ctx = { v1: { getUser: () => user, authRequest: context.authRequest, httpRequest: context.httpRequest } };
const api = {
  v1: {
    // object/user_grant.go mapObjectToGrant
    appendUserGrant(grant) {
      const g = Object(grant);
      if (!g.projectId) throw new Error('projectId not set');
      userGrants.push({ projectId: String(g.projectId), projectGrantId: g.projectGrantId ? String(g.projectGrantId) : '', roles: Array.isArray(g.roles) ? g.roles.filter((r) => typeof r === 'string') : [] });
    },
  },
};

try {
  vm.createContext(sandbox);
  vm.runInContext(script, sandbox, { timeout: timeoutMs });
  if (typeof sandbox[name] !== 'function') throw new Error('function not found');
  sandbox.__ctx = ctx;
  sandbox.__api = api;
  vm.runInContext(name + '(__ctx, __api)', sandbox, { timeout: timeoutMs });
  parentPort.postMessage({ ok: true, userGrants, logs });
} catch (error) {
  parentPort.postMessage({ ok: false, error: String((error && error.message) || error), userGrants, logs });
}
`;

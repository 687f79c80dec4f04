// The bindings of Code, Function and Function Item nodes inside the JavaScript engine.
//
// Python calls __init(worldJson) once per node run, compiles the user's code as the async
// function __user, and then calls __run(index, kind) once per execution. Nothing here reaches
// outside the engine: data comes in as JSON and leaves as JSON. Messages of errors thrown
// here contain no colons, because n8n splits an error's first stack line at colons.
(function () {
  "use strict";
  const g = globalThis;
  let world = { input: [], nodes: {} };
  let input = [];
  let current = 0;
  let logs = [];
  let logSize = 0;
  let functionItem = null;
  let baseline = null;
  const LOG_LIMIT = 1000000;

  function fail(message) {
    throw new Error(message);
  }

  function show(value) {
    if (typeof value === "string") return value;
    try {
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    } catch (e) {
      return String(value);
    }
  }

  function writer(level) {
    return function (...args) {
      if (logSize > LOG_LIMIT) return;
      const line = args.map(show).join(" ").slice(0, 10000);
      logSize += line.length;
      logs.push([level, line]);
    };
  }

  const quiet = function () {};
  const consoleObject = {};
  for (const name of ["log", "info", "debug", "trace"]) consoleObject[name] = writer("info");
  consoleObject.warn = writer("warn");
  consoleObject.error = writer("error");
  for (const name of ["dir", "table", "time", "timeEnd", "timeLog", "group", "groupEnd",
    "groupCollapsed", "assert", "count", "countReset", "clear"]) consoleObject[name] = quiet;

  function nodeEntry(name) {
    if (typeof name !== "string") fail("a node name must be a string");
    const entry = world.nodes[name];
    if (!entry) {
      fail(`no node called '${name}' is available here - it must be a node of this ` +
        `workflow, named in the code as a string as in $('${name}')`);
    }
    if (!entry.executed) fail(`node '${name}' has not run (yet)`);
    return entry;
  }

  function paired(name, index) {
    const entry = nodeEntry(name);
    const position = entry.pairs[index];
    if (position === null || position === undefined) {
      fail(`paired item data for item ${index} from node '${name}' is unavailable - ` +
        `a node between them returned items without pairedItem; use $('${name}').all() ` +
        `or .first() instead`);
    }
    if (position === -1) {
      fail(`Multiple matches: item ${index} comes from several items of '${name}' ` +
        `(it was built from several items) - use $('${name}').all() or .first() instead`);
    }
    return entry.items[position];
  }

  function nodeRef(name) {
    return {
      all() {
        return nodeEntry(name).items;
      },
      first() {
        return nodeEntry(name).items[0];
      },
      last() {
        const items = nodeEntry(name).items;
        return items[items.length - 1];
      },
      get item() {
        return paired(name, current);
      },
      itemMatching(index) {
        return paired(name, index);
      },
      pairedItem(index) {
        return paired(name, index === undefined ? current : index);
      },
      get isExecuted() {
        return Boolean(world.nodes[name] && world.nodes[name].executed);
      },
      get params() {
        return {};
      },
      get context() {
        return {};
      },
      get runIndex() {
        return 0;
      },
    };
  }

  const inputRef = {
    all() {
      return input;
    },
    first() {
      return input[0];
    },
    last() {
      return input[input.length - 1];
    },
    get item() {
      return input[current];
    },
    get params() {
      return {};
    },
    get context() {
      return {};
    },
  };

  const legacyNode = new Proxy({}, {
    get(_target, name) {
      if (typeof name !== "string") return undefined;
      const entry = nodeEntry(name);
      const item = entry.items[current] || entry.items[0] || { json: {} };
      return { json: item.json, binary: item.binary, parameter: {}, runIndex: 0, context: {} };
    },
  });

  function unsupported(name) {
    return function () {
      fail(`The function "${name}" is not supported in the Code Node`);
    };
  }

  function disallowed(name) {
    fail(`Module '${name}' is disallowed`);
  }

  function bindings(index) {
    const item = input[index];
    return {
      $input: inputRef,
      $json: item ? item.json : undefined,
      $binary: item && item.binary ? item.binary : {},
      $itemIndex: index,
      $runIndex: world.runIndex || 0,
      $: nodeRef,
      $items: (name) => (name === undefined ? input : nodeEntry(name).items),
      $node: legacyNode,
      $workflow: world.workflow,
      $execution: world.execution,
      $prevNode: world.prevNode,
      $mode: "manual",
      $parameter: world.parameter || {},
    };
  }

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function set(values) {
    for (const key of Object.keys(values)) g[key] = values[key];
  }

  function forget(names) {
    for (const name of names) delete g[name];
  }

  function kindOf(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
  }

  function describe(error) {
    if (error !== null && typeof error === "object" && typeof error.stack === "string") {
      return { name: String(error.name), message: String(error.message), stack: error.stack };
    }
    let text;
    try {
      text = typeof error === "string" ? error : JSON.stringify(error);
    } catch (e) {
      text = String(error);
    }
    return { name: null, message: String(text), stack: null };
  }

  function finish(ok, value) {
    const out = { ok, logs };
    if (ok) {
      out.kind = kindOf(value);
      try {
        out.value = JSON.stringify(value);
        if (functionItem !== null) out.binary = JSON.stringify(functionItem.binary);
      } catch (e) {
        return JSON.stringify({ ok: false, logs, error: describe(e) });
      }
    } else {
      out.error = describe(value);
    }
    return JSON.stringify(out);
  }

  function prepare(index, kind) {
    current = index;
    logs = [];
    logSize = 0;
    functionItem = null;
    if (kind === "all") {
      set(bindings(0));
      g.items = input;
      forget(["item"]);
    } else if (kind === "each") {
      set(bindings(index));
      g.item = input[index];
      forget(["items"]);
    } else if (kind === "function") {
      const items = copy(input);
      items.forEach((item, position) => {
        item.index = position;
      });
      set(bindings(0));
      g.items = items;
      g.$item = (position) => bindings(position);
    } else if (kind === "functionItem") {
      if (baseline !== null) {
        // a fresh context per item, as n8n gives: drop globals the last item created
        forget(Object.getOwnPropertyNames(g).filter((name) => !baseline.has(name)));
      }
      const source = input[index];
      functionItem = { binary: copy(source.binary) };
      set(bindings(index));
      g.item = copy(source.json);
      g.getBinaryData = () => functionItem.binary;
      g.setBinaryData = async (data) => {
        functionItem.binary = data;
      };
      g.getBinaryDataAsync = async () => functionItem.binary;
      g.setBinaryDataAsync = async (data) => {
        if (!data) fail("No data was provided to setBinaryDataAsync (data IBinaryKeyData).");
        functionItem.binary = data;
      };
    }
  }

  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function btoa(text) {
    text = String(text);
    let out = "";
    for (let i = 0; i < text.length; i += 3) {
      const a = text.charCodeAt(i);
      const b = text.charCodeAt(i + 1);
      const c = text.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) fail("btoa accepts Latin-1 text only");
      const bits = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += ALPHABET[bits >> 18] + ALPHABET[(bits >> 12) & 63];
      out += i + 1 < text.length ? ALPHABET[(bits >> 6) & 63] : "=";
      out += i + 2 < text.length ? ALPHABET[bits & 63] : "=";
    }
    return out;
  }

  function atob(text) {
    text = String(text).replace(/[\s=]+/g, "");
    let out = "";
    let bits = 0;
    let count = 0;
    for (const char of text) {
      const value = ALPHABET.indexOf(char);
      if (value < 0) fail("atob got text that is not base64");
      bits = (bits << 6) | value;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out += String.fromCharCode((bits >> count) & 255);
      }
    }
    return out;
  }

  g.btoa = btoa;
  g.atob = atob;
  g.console = consoleObject;
  g.require = disallowed;
  for (const name of ["getNodeParameter", "getWorkflowStaticData", "$getWorkflowStaticData",
    "$getNodeParameter", "$evaluateExpression"]) g[name] = unsupported(name);
  g.helpers = new Proxy({}, { get: (_t, name) => unsupported(`helpers.${String(name)}`) });

  g.__init = function (text) {
    world = JSON.parse(text);
    input = world.input;
  };

  g.__seal = function () {
    baseline = new Set(Object.getOwnPropertyNames(g));
    for (const name of ["item", "items", "$item", "getBinaryData", "setBinaryData",
      "getBinaryDataAsync", "setBinaryDataAsync"]) baseline.add(name);
  };

  // An execution's outcome is left here for Python to take: Python never waits on a promise
  // of the engine, so a runaway microtask cannot block it (it only stops answering).
  let outcome = null;

  g.__run = function (index, kind) {
    outcome = null;
    let promise;
    try {
      prepare(index, kind);
      promise = Promise.resolve(g.__user());
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => {
        outcome = finish(true, value);
      },
      (error) => {
        outcome = finish(false, error);
      },
    );
  };

  g.__take = function () {
    const text = outcome;
    outcome = null;
    return text;
  };
})();
//# sourceURL=prelude.js

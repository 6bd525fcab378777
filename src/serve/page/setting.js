// The setting of `ludd serve`'s page and its URL: what a page asks the
// server to run, written into the link so that a shared link reproduces it,
// and read back from a link with every number checked as a number and
// every policy checked field by field. Loaded before app.js, which calls it.

function requestOf(setting) {
  const request = {
    set: Object.entries(setting.set).map(([path, value]) => `${path}=${value}`),
    seeds: setting.seeds,
  };
  if (setting.ron !== undefined && setting.ron !== null) request.ron = setting.ron;
  else request.scenario = setting.scenario;
  if (setting.policies) request.policies = setting.policies;
  if (setting.end_year !== null && setting.end_year !== undefined) request.end_year = setting.end_year;
  return request;
}

function encodeText(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

function decodeText(b64) {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

function settingToParams(setting, prefix, params) {
  if (setting.ron) params.set(prefix + "ron", encodeText(setting.ron));
  else params.set(prefix + "s", setting.scenario);
  params.set(prefix + "seeds", setting.seeds);
  if (setting.end_year !== null && setting.end_year !== undefined) params.set(prefix + "end", setting.end_year);
  for (const [path, value] of Object.entries(setting.set)) params.append(prefix + "set", `${path}=${value}`);
  if (setting.policies) params.set(prefix + "policies", JSON.stringify(setting.policies));
}

// A problem with a link, shown as the server's errors are.
function linkError(field, message) {
  const error = new Error(`The link's ${field} ${message}; nothing was run.`);
  error.errors = [{ field: "", message: error.message }];
  return error;
}

// A number from a link, or a refusal: never text that is not a number.
function linkNumber(text, field) {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw linkError(field, `is not a number: '${text}'`);
  return value;
}

// A link's policies: a JSON array of objects with exactly a policy's
// fields, each of its type, or a refusal.
function linkPolicies(text, field) {
  let list;
  try {
    list = JSON.parse(text);
  } catch (e) {
    throw linkError(field, "are not JSON");
  }
  const types = { year: "number", region: "string", field: "string", value: "number", note: "string", toward: "string" };
  if (!Array.isArray(list)) throw linkError(field, "are not a list");
  list.forEach((p, i) => {
    if (p === null || typeof p !== "object" || Array.isArray(p)) throw linkError(field, `hold something else than a policy at ${i}`);
    for (const [k, v] of Object.entries(p)) {
      if (!(k in types)) throw linkError(field, `hold an unknown field '${k}' at ${i}`);
      if (typeof v !== types[k] || (types[k] === "number" && !Number.isFinite(v))) {
        throw linkError(field, `hold a ${k} that is not a ${types[k]} at ${i}`);
      }
    }
    for (const k of ["year", "region", "field", "value"]) {
      if (!(k in p)) throw linkError(field, `lack a ${k} at ${i}`);
    }
  });
  return list;
}

function settingFromParams(params, prefix) {
  const scenario = params.get(prefix + "s");
  const ron = params.get(prefix + "ron");
  if (!scenario && !ron) return null;
  const set = {};
  for (const item of params.getAll(prefix + "set")) {
    const at = item.indexOf("=");
    if (at > 0) set[item.slice(0, at)] = item.slice(at + 1);
  }
  const end = params.get(prefix + "end");
  const seeds = params.get(prefix + "seeds");
  const policies = params.get(prefix + "policies");
  let text = null;
  if (ron) {
    try {
      text = decodeText(ron);
    } catch (e) {
      throw linkError(prefix + "ron", "is not base64 text");
    }
  }
  return {
    scenario: scenario || null,
    ron: text,
    set,
    policies: policies ? linkPolicies(policies, prefix + "policies") : null,
    seeds: seeds ? linkNumber(seeds, prefix + "seeds") : page.catalog.default_seeds,
    end_year: end ? linkNumber(end, prefix + "end") : null,
  };
}

function writeUrl() {
  const params = new URLSearchParams();
  if (page.experiment) params.set("exp", page.experiment.name);
  settingToParams(page.setting, "", params);
  if (page.pinned) settingToParams(page.baseline, "b.", params);
  history.replaceState(null, "", "?" + params.toString());
}

function builtInBaseline() {
  const s = page.setting;
  const base = { scenario: s.scenario, ron: s.ron, set: {}, policies: null, seeds: s.seeds, end_year: s.end_year };
  if (page.experiment) {
    for (const item of page.experiment.settings[0].set) {
      const at = item.indexOf("=");
      base.set[item.slice(0, at)] = item.slice(at + 1);
    }
  }
  return base;
}


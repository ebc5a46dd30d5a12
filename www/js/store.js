// A tiny observable store for UI state (what is filtered, selected, shown). It never holds
// events: those stay in the worker's wasm memory.

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    /** Merges `patch` into the state and tells every listener what changed. */
    set(patch) {
      const prev = state;
      state = { ...state, ...patch };
      const changed = new Set(Object.keys(patch).filter((k) => prev[k] !== state[k]));
      if (changed.size === 0) return;
      for (const f of listeners) f(state, changed, prev);
    },
    subscribe(f) {
      listeners.add(f);
      return () => listeners.delete(f);
    },
  };
}

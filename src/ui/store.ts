/** A tiny external store for the page's state, read in components with `useStore`. */
import { useSyncExternalStore } from 'react';

/** A value that changes over time and tells its subscribers. */
export interface Store<T> {
  get(): T;
  /** Merges a partial update (or the result of a function of the current state) and notifies. */
  set(update: Partial<T> | ((state: T) => Partial<T>)): void;
  subscribe(listener: () => void): () => void;
}

/** A store holding `initial`. */
export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(update) {
      const patch = typeof update === 'function' ? update(state) : update;
      state = { ...state, ...patch };
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The part of the store a component needs; it re-renders when that part changes.
 * The selector must return a value held in the state (not a new object), or React would loop.
 */
export function useStore<T, U>(store: Store<T>, select: (state: T) => U): U {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}

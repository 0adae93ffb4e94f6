/** Hands the store, the controller and the player to every component of the page. */
import { createContext, useContext } from 'react';
import type { Controller, PlayerControl } from './controller';
import type { AppState } from './state';
import { useStore, type Store } from './store';

/** What a component can reach. */
export interface PageServices {
  store: Store<AppState>;
  controller: Controller;
  player: PlayerControl;
}

export const PageContext = createContext<PageServices | null>(null);

/** The page's services; throws outside the provider (a wiring bug). */
export function usePage(): PageServices {
  const services = useContext(PageContext);
  if (!services) throw new Error('usePage() needs a PageContext provider');
  return services;
}

/** A part of the page state; the component re-renders when it changes. */
export function useAppState<U>(select: (state: AppState) => U): U {
  return useStore(usePage().store, select);
}

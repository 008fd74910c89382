/// <reference types="vite-plugin-pwa/react" />
/**
 * The service worker (vite.config.ts: vite-plugin-pwa) as the user sees it: "ready to work offline"
 * once the app is cached, and, when a new release has been downloaded, a prompt to reload into it (the
 * new version never replaces the running one silently: work in progress would be lost).
 */
import { useRegisterSW } from 'virtual:pwa-register/react';

export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW();
  if (!needRefresh && !offlineReady) return null;
  return (
    <div
      className="update-prompt notice info"
      role="status"
      data-testid="update-prompt"
      data-state={needRefresh ? 'update' : 'offline-ready'}
    >
      {needRefresh ? (
        <>
          <span>A new version of the lab is ready.</span>
          <button type="button" onClick={() => void updateServiceWorker(true)}>
            Reload to update
          </button>
          <button type="button" onClick={() => setNeedRefresh(false)}>
            Later
          </button>
        </>
      ) : (
        <>
          <span>The lab is saved in this browser: it now opens without a network (models and data sets you have used included).</span>
          <button type="button" onClick={() => setOfflineReady(false)}>
            OK
          </button>
        </>
      )}
    </div>
  );
}

/**
 * The address bar says what is on screen once the page stands still for
 * LINK_QUIET_MS: replaceState took a few ms of every jump, and Chromium
 * refuses more than 200 of them in 10 s (a run playing). Copy link copies
 * the link itself.
 */
import { useEffect } from "preact/hooks";

/** The address bar follows the page this long after it last moved. */
const LINK_QUIET_MS = 150;

export function useAddressBar(link: string): void {
  useEffect(() => {
    if (link === "") return;
    const timer = setTimeout(() => history.replaceState(null, "", link), LINK_QUIET_MS);
    return () => clearTimeout(timer);
  }, [link]);
}

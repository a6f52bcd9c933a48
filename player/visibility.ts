/**
 * Lean until play: a player does nothing — no token, no session — until its element comes near the
 * viewport (IntersectionObserver, a margin of half a screen so it is ready when scrolled to).
 * Without IntersectionObserver it starts at once.
 */
export function whenVisible(el: Element, start: () => void, rootMargin = '50% 0px'): () => void {
  const win = el.ownerDocument.defaultView;
  if (!win || !('IntersectionObserver' in win)) {
    start();
    return () => undefined;
  }
  const observer = new win.IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      start();
    },
    { rootMargin },
  );
  observer.observe(el);
  return () => observer.disconnect();
}

import { useEffect, useRef, type ReactNode } from "react";

/** A page's one h1; it names the document and takes focus when the page opens, for screen readers. */
export function Page({ title, children, narrow }: { title: string; children: ReactNode; narrow?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Account portal`;
    const page = heading.current?.parentElement;
    if (page && !page.contains(document.activeElement)) heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <div className={narrow ? "page page-narrow" : "page"}>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </div>
  );
}

/** What a member sees on a page their access does not include. */
export function NotAllowed({ children }: { children: ReactNode }) {
  return <p className="not-allowed">{children}</p>;
}

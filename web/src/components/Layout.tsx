import { useState, type ReactNode } from "react";
import { Link, NavLink, useNavigate } from "react-router";
import { can } from "../session/me";
import { useSession } from "../session/SessionProvider";

/** The page frame: header with the navigation the member's permissions allow, main, footer. */
export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  const leave = async () => {
    setLeaving(true);
    try {
      await signOut();
    } finally {
      setLeaving(false);
      navigate("/sign-in?signedOut=1", { replace: true });
    }
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="bar">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Account portal
          </Link>
          {me && (
            <div className="who">
              <span className="who-name">{me.displayName}</span>
              <button type="button" className="secondary small" onClick={leave} disabled={leaving}>
                Sign out
              </button>
            </div>
          )}
        </div>
        {me && (
          <nav aria-label="Main" className="main-nav">
            <ul>
              <li>
                <NavLink to="/" end>
                  Account overview
                </NavLink>
              </li>
              {can(me, "VIEW_BILLING") && (
                <li>
                  <NavLink to="/billing">Billing</NavLink>
                </li>
              )}
              {can(me, "MANAGE_MEMBERS") && (
                <li>
                  <NavLink to="/members">Manage users</NavLink>
                </li>
              )}
              <li>
                <NavLink to="/services">Services</NavLink>
              </li>
              <li>
                <NavLink to="/settings">Settings</NavLink>
              </li>
              <li>
                <NavLink to="/security">Security</NavLink>
              </li>
              {can(me, "MANAGE_MEMBERS") && (
                <li>
                  <NavLink to="/api-keys">API keys</NavLink>
                </li>
              )}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>Your account portal. Never share a code we send you: we will never ask for it.</p>
      </footer>
    </>
  );
}

import { lazy, Suspense, type ReactNode } from "react";
import { Link, Navigate, Route, Routes, useLocation } from "react-router";
import { Layout } from "./components/Layout";
import { Alert, Loading } from "./components/Notice";
import { Page } from "./components/Page";
import { SignIn } from "./pages/SignIn";
import { useSession } from "./session/SessionProvider";

// The sign-in form ships with the first page; every other page is its own chunk, loaded when opened.
const Overview = lazy(() => import("./pages/Overview"));
const Activate = lazy(() => import("./pages/Activate"));
const ForgotPassword = lazy(() => import("./pages/ForgotPassword"));
const ResetPassword = lazy(() => import("./pages/ResetPassword"));
const Unlock = lazy(() => import("./pages/Unlock"));
const SecureAccount = lazy(() => import("./pages/SecureAccount"));
const Billing = lazy(() => import("./pages/Billing"));
const Members = lazy(() => import("./pages/Members"));
const Services = lazy(() => import("./pages/Services"));
const Settings = lazy(() => import("./pages/Settings"));
const Security = lazy(() => import("./pages/Security"));
const ApiKeys = lazy(() => import("./pages/ApiKeys"));

export function App() {
  const { status, refresh } = useSession();
  if (status === "loading") {
    return (
      <Layout>
        <Loading />
      </Layout>
    );
  }
  if (status === "unreachable") {
    return (
      <Layout>
        <Page title="Account portal" narrow>
          <Alert>We could not reach the server. Check your connection and try again.</Alert>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </Page>
      </Layout>
    );
  }
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={status === "signedIn" ? <Overview /> : <SignIn />} />
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/activate" element={<Activate />} />
          <Route path="/forgot-password" element={<ForgotPassword />} />
          <Route path="/reset-password" element={<ResetPassword />} />
          <Route path="/unlock" element={<Unlock />} />
          <Route path="/secure-account" element={<SecureAccount />} />
          <Route path="/billing" element={<SignedIn><Billing /></SignedIn>} />
          <Route path="/members" element={<SignedIn><Members /></SignedIn>} />
          <Route path="/services" element={<SignedIn><Services /></SignedIn>} />
          <Route path="/settings" element={<SignedIn><Settings /></SignedIn>} />
          <Route path="/security" element={<SignedIn><Security /></SignedIn>} />
          <Route path="/api-keys" element={<SignedIn><ApiKeys /></SignedIn>} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}

/** A page for members: signed out, it sends to the sign-in form and back here afterwards. */
function SignedIn({ children }: { children: ReactNode }) {
  const { status, signedOutBy } = useSession();
  const location = useLocation();
  if (status !== "signedIn") {
    // Signing out on purpose is not a reason to come back here afterwards.
    if (signedOutBy === "member" || signedOutBy === "everywhere") {
      return <Navigate to={`/sign-in?signedOut=${signedOutBy === "everywhere" ? "everywhere" : "1"}`} replace />;
    }
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

function NotFound() {
  return (
    <Page title="Page not found" narrow>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </Page>
  );
}

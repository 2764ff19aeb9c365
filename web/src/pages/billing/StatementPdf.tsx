import { useState } from "react";
import { ApiError, CSRF_HEADER, csrfToken, request } from "../../api/client";
import { requestErrorMessage } from "../../api/messages";
import { Alert } from "../../components/Notice";
import { graphql } from "../../gql";

const StatementPdfUrl = graphql(`
  query StatementPdfUrl($id: ID!) {
    node(id: $id) {
      ... on Statement {
        pdfUrl
      }
    }
  }
`);

/**
 * "Download PDF" of one statement. Its link works for a few minutes, so each click asks for a fresh one,
 * then fetches the PDF with the session cookie and its CSRF header (the link alone opens nothing) and
 * hands it to the browser as a download.
 */
export function StatementPdf({ statementId, describedBy }: { statementId: string; describedBy: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setPending(true);
    setError(null);
    try {
      const data = await request(StatementPdfUrl, { id: statementId });
      const url = data.node && "pdfUrl" in data.node ? data.node.pdfUrl : null;
      if (!url) throw new ApiError("FORBIDDEN", "no pdfUrl");
      const link = new URL(url, window.location.origin);
      const headers: Record<string, string> = { accept: "application/pdf" };
      const csrf = csrfToken();
      if (csrf) headers[CSRF_HEADER] = csrf;
      // The same origin as the portal whatever PUBLIC_URL says, so the session cookie goes along.
      const response = await fetch(link.pathname + link.search, { credentials: "same-origin", headers });
      if (!response.ok) throw new ApiError(response.status === 401 ? "UNAUTHENTICATED" : "PDF", `HTTP ${response.status}`);
      save(await response.blob(), filenameOf(response) ?? "statement.pdf");
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === "PDF"
          ? "The PDF could not be made just now. Please try again."
          : requestErrorMessage(failure),
      );
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <button type="button" className="link-button" aria-describedby={describedBy} disabled={pending} onClick={download}>
        Download PDF
      </button>
      {error && <Alert>{error}</Alert>}
    </>
  );
}

function filenameOf(response: Response): string | null {
  const found = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
  return found ? found[1]! : null;
}

function save(blob: Blob, filename: string) {
  const href = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.download = filename;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

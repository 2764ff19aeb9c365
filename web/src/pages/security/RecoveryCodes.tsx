import { useEffect, useRef, useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { FlashSlot, useFlash } from "../../components/Flash";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";

const GenerateRecoveryCodes = graphql(`
  mutation GenerateRecoveryCodes {
    generateRecoveryCodes {
      codes
      errors {
        ...UserErrorFields
      }
    }
  }
`);

interface Props {
  remaining: number;
  /** Two-factor or a passkey was just set up: say why codes matter now. */
  suggest: boolean;
  onChanged: () => void;
}

/** Recovery codes: how many are left, a new set (shown once, to download or print), for a lost phone. */
export function RecoveryCodes({ remaining, suggest, onChanged }: Props) {
  const flash = useFlash();
  const generate = useMutation(GenerateRecoveryCodes);
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const shown = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (codes) shown.current?.focus();
  }, [codes]);

  const make = async () => {
    flash.clear();
    setRefusal(null);
    const data = await generate.run();
    if (!data) return;
    const payload = data.generateRecoveryCodes;
    if (payload.errors.length > 0 || !payload.codes) {
      setRefusal(refusalText(payload.errors) || "Recovery codes could not be made now.");
      return;
    }
    setCodes(payload.codes);
    onChanged();
  };

  const download = () => {
    if (!codes) return;
    const text = [
      "Recovery codes for your account",
      "",
      "Each code works once, when you can't use your phone, authenticator app or passkey.",
      "Keep them somewhere safe. Making new codes stops these from working.",
      "",
      ...codes,
      "",
    ].join("\n");
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "recovery-codes.txt";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const done = () => {
    setCodes(null);
    flash.confirm("Your recovery codes are saved. Each works once; make new ones when they run low.");
  };

  return (
    <section className="card" aria-labelledby="sec-recovery">
      <h2 id="sec-recovery">Recovery codes</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[generate.error, refusal]} />
      {codes ? (
        <div className="recovery-codes-sheet">
          <p>
            <strong>Save these codes now: we show them only once.</strong> Each one signs you in, or confirms it's you,
            once, when your phone or passkey is not at hand.
          </p>
          <ol ref={shown} tabIndex={-1} className="recovery-codes" aria-label="Your new recovery codes">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ol>
          <div className="actions no-print">
            <button type="button" className="secondary" onClick={download}>
              Download
            </button>
            <button type="button" className="secondary" onClick={() => window.print()}>
              Print
            </button>
            <button type="button" onClick={done}>
              I have saved my codes
            </button>
          </div>
        </div>
      ) : (
        <>
          {suggest && remaining === 0 && (
            <p className="notice confirm-box">
              Now get your recovery codes: if you lose your phone or passkey, a recovery code still lets you in.
            </p>
          )}
          <p>
            {remaining === 0
              ? "You have no recovery codes."
              : `You have ${remaining} unused recovery ${remaining === 1 ? "code" : "codes"}.`}{" "}
            Keep them on paper or in a password manager for when your phone or passkey is not at hand.
          </p>
          {remaining > 0 && <p className="aside">New codes replace the old ones: the old ones stop working.</p>}
          <button type="button" className={remaining > 0 ? "secondary" : undefined} onClick={() => void make()} disabled={generate.pending}>
            {remaining > 0 ? "Generate new recovery codes" : "Generate recovery codes"}
          </button>
        </>
      )}
    </section>
  );
}

import { useEffect, useRef, useState } from "react";
import { useMutation } from "../../api/hooks";
import { refusalText } from "../../api/messages";
import { CodeField, Field } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { Errors } from "../../components/Notice";
import { graphql } from "../../gql";
import { useMutationForm } from "../../lib/useForm";
import { useSession } from "../../session/SessionProvider";

const EnrollTotp = graphql(`
  mutation EnrollTotp {
    enrollTotp {
      secret
      otpauthUri
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const ConfirmTotp = graphql(`
  mutation ConfirmTotp($code: String!) {
    confirmTotp(code: $code) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

const DisableTotp = graphql(`
  mutation DisableTotp {
    disableTotp {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

interface Props {
  enabled: boolean;
  onChanged: () => void;
  /** Two-factor was just turned on: the moment to offer recovery codes. */
  onTurnedOn?: () => void;
}

export function TwoFactor({ enabled, onChanged, onTurnedOn }: Props) {
  const { refresh } = useSession();
  const [enrollment, setEnrollment] = useState<{ secret: string; uri: string } | null>(null);
  // Why setting up or turning off was refused; the code form's refusals not about the code join it.
  const [refusal, setRefusal] = useState<string | null>(null);
  const flash = useFlash();
  const enroll = useMutation(EnrollTotp);
  const confirm = useMutationForm(ConfirmTotp, { code: "" });
  const disable = useMutation(DisableTotp);

  const start = async () => {
    flash.clear();
    setRefusal(null);
    confirm.reset();
    const data = await enroll.run();
    if (!data) return;
    const payload = data.enrollTotp;
    if (payload.errors.length > 0 || !payload.secret || !payload.otpauthUri) {
      setRefusal(refusalText(payload.errors) || "Two-factor sign-in could not be set up.");
      return;
    }
    setEnrollment({ secret: payload.secret, uri: payload.otpauthUri });
  };

  const finish = confirm.onSubmit(async ({ code }) => {
    if (!confirm.check({ code: !code.trim() && "Enter the six-digit code your app shows." })) return;
    const data = await confirm.run({ code: code.trim() });
    if (!data) return;
    const payload = data.confirmTotp;
    const refused = confirm.refuse(payload.errors, {
      INVALID_CODE: "That code is not right. Check the time on your phone, and enter the code the app shows now.",
    });
    if (refused || !payload.ok) return;
    setEnrollment(null);
    confirm.reset();
    flash.confirm("Two-factor sign-in is on. When you sign in on a new device, we will ask for a code from your app.");
    onChanged();
    onTurnedOn?.();
    await refresh();
  });

  const turnOff = async () => {
    flash.clear();
    setRefusal(null);
    const data = await disable.run();
    if (!data) return;
    if (data.disableTotp.errors.length > 0) {
      setRefusal(refusalText(data.disableTotp.errors));
      return;
    }
    flash.confirm("Two-factor sign-in is off.");
    onChanged();
    await refresh();
  };

  return (
    <section className="card" aria-labelledby="sec-2fa">
      <h2 id="sec-2fa">Two-factor sign-in</h2>
      <FlashSlot message={flash.message} />
      <Errors messages={[enroll.error, confirm.error, disable.error, ...confirm.general, refusal]} />
      {enabled ? (
        <>
          <p>
            Two-factor sign-in is <strong>on</strong>: signing in on a new device needs a code from your authenticator app.
          </p>
          <button type="button" className="danger-secondary" onClick={() => void turnOff()} disabled={disable.pending}>
            Turn off two-factor
          </button>
        </>
      ) : enrollment ? (
        <form onSubmit={finish} noValidate>
          <p>Scan this code with an authenticator app (such as Google Authenticator, Microsoft Authenticator or 1Password).</p>
          <QrCode text={enrollment.uri} />
          <Field
            label="Setup key"
            name="setupKey"
            hint="Can't scan the code? Enter this key in the app instead."
            readOnly
            spellCheck={false}
            value={grouped(enrollment.secret)}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CodeField hint="The six-digit code the app shows for this account." autoFocus {...confirm.field("code")} />
          {/* Its refusals are shown at the top of the section, with setting up's and turning off's. */}
          <FormActions messages={[]} pending={confirm.pending} submit="Turn on two-factor">
            <button type="button" className="secondary" onClick={() => setEnrollment(null)}>
              Cancel
            </button>
          </FormActions>
        </form>
      ) : (
        <>
          <p>
            Two-factor sign-in is <strong>off</strong>. Turn it on so that a stolen password is not enough to sign in to
            your account.
          </p>
          <button type="button" onClick={() => void start()} disabled={enroll.pending}>
            Set up two-factor
          </button>
        </>
      )}
    </section>
  );
}

/** "ABCD EFGH ...": a long key is easier to copy by hand in groups (authenticator apps ignore spaces). */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The otpauth:// URI as a QR code, drawn on a canvas (no data: URL, so the CSP needs no img-src data:). */
function QrCode({ text }: { text: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    void import("qrcode").then(
      (qrcode) => {
        if (live && canvas.current) qrcode.toCanvas(canvas.current, text, { width: 192, margin: 2 }, (error) => error && setFailed(true));
      },
      () => setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [text]);
  if (failed) return <p>The QR code could not be drawn; enter the key below in your app.</p>;
  return <canvas ref={canvas} className="qr" role="img" aria-label="QR code to scan with your authenticator app" />;
}

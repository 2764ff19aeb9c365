import { useEffect } from "react";
import { SelectField, TextAreaField } from "../../components/Field";
import { FlashSlot, useFlash } from "../../components/Flash";
import { FormActions } from "../../components/FormActions";
import { graphql } from "../../gql";
import { serviceKindName } from "../../lib/format";
import { useMutationForm } from "../../lib/useForm";
import type { Account } from "../Services";

const ReportOutage = graphql(`
  mutation ReportOutage($input: ReportOutageInput!) {
    reportOutage(input: $input) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export function OutageReport({ account }: { account: Account }) {
  const services = account.services ?? [];
  const report = useMutationForm(ReportOutage, { serviceId: services[0]?.id ?? "", description: "" });
  const flash = useFlash();
  // Another section's confirmation (a visit booked or cancelled) makes this form's errors stale.
  useEffect(() => {
    if (flash.elsewhere) report.clearMessages();
  }, [flash.elsewhere]);

  if (services.length === 0) return null;

  const submit = report.onSubmit(async ({ serviceId, description }) => {
    flash.clear();
    const fine = report.check({
      serviceId: !serviceId && "Choose the service that is not working.",
      description: !description.trim() && "Tell us what is not working.",
    });
    if (!fine) return;
    const data = await report.run({ input: { serviceId, description: description.trim() } });
    if (!data || report.refuse(data.reportOutage.errors)) return;
    flash.confirm("Thank you: we have your outage report and will tell you when service is back.");
    report.setValues({ description: "" });
  });

  return (
    <section className="card" aria-labelledby="svc-outage">
      <h2 id="svc-outage">Report an outage</h2>
      <FlashSlot message={flash.message} />
      <form onSubmit={submit} noValidate>
        <SelectField label="Service" {...report.field("serviceId")}>
          {services.map((service) => (
            <option key={service.id} value={service.id}>
              {service.plan} ({serviceKindName(service.kind)})
            </option>
          ))}
        </SelectField>
        <TextAreaField
          label="Description"
          hint="What is not working, since when, and anything you have tried."
          {...report.field("description")}
        />
        <FormActions messages={report.messages} pending={report.pending} submit="Report outage" />
      </form>
    </section>
  );
}

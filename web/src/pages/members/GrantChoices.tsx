import type { Permission } from "../../gql/graphql";
import { GRANTS } from "../../lib/permissions";

export function GrantChoices({
  chosen,
  onChange,
  idPrefix,
}: {
  chosen: readonly Permission[];
  onChange: (next: Permission[]) => void;
  idPrefix: string;
}) {
  return (
    <fieldset className="choice">
      <legend>What this standard user may also do</legend>
      {GRANTS.map((grant) => (
        <label key={grant.permission} htmlFor={`${idPrefix}-${grant.permission}`}>
          <input
            id={`${idPrefix}-${grant.permission}`}
            type="checkbox"
            checked={chosen.includes(grant.permission)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? [...chosen, grant.permission]
                  : chosen.filter((permission) => permission !== grant.permission),
              )
            }
          />{" "}
          {grant.label}
        </label>
      ))}
    </fieldset>
  );
}

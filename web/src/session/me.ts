import { graphql } from "../gql";
import type { MeFieldsFragment, Permission } from "../gql/graphql";

export type Me = MeFieldsFragment;

graphql(`
  fragment MeFields on Member {
    id
    username
    displayName
    email
    phone
    role
    status
    permissions
    twoFactorEnabled
    passkeys {
      id
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...MeFields
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut {
      ok
      errors {
        code
        field
        message
      }
    }
  }
`);

export function can(me: Me | null, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}

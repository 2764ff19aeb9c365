// What a member row on Manage users can do: change access, resend, unlock, hand over, remove.
import { graphql } from "../../gql";

export const UpdateAccess = graphql(`
  mutation UpdateMemberAccess($input: UpdateMemberAccessInput!) {
    updateMemberAccess(input: $input) {
      member {
        id
        role
        permissions
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

// What a row action on a member answers: the member's new state, or why it was refused.
graphql(`
  fragment MemberRowOutcome on MemberPayload {
    member {
      id
      status
    }
    errors {
      ...UserErrorFields
    }
  }
`);

export const Resend = graphql(`
  mutation ResendInvitation($memberId: ID!) {
    resendInvitation(memberId: $memberId) {
      ...MemberRowOutcome
    }
  }
`);

export const Remove = graphql(`
  mutation RemoveMember($memberId: ID!) {
    removeMember(memberId: $memberId) {
      ok
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const UnlockById = graphql(`
  mutation UnlockMemberById($memberId: ID!) {
    unlockMemberById(memberId: $memberId) {
      ...MemberRowOutcome
    }
  }
`);

export const Transfer = graphql(`
  mutation TransferPrimary($memberId: ID!) {
    transferPrimary(memberId: $memberId) {
      ...MemberRowOutcome
    }
  }
`);

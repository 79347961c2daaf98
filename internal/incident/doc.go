// Package incident is keywarden respond: what to do, in order, when an access key leaks.
//
//  1. deactivate the key now, under the record protocol, with a record that says why
//     (deactivated TIME by=incident reason=…): activate refuses it without --force, and plan,
//     apply, serve and the Lambda have no rule that re-enables a key;
//  2. contain, when asked: a deny-all inline policy on the user (QuarantinePolicyName) and
//     AWS's managed quarantine policy where the account has it;
//  3. replace a service key: the user's rotate rule (keywarden.yaml) runs now through the one
//     rotation engine, whatever the key's age; the leaked key is never deleted here (it is
//     evidence; the ordinary delete rule removes it later);
//  4. tell the key's owner and notify.security what happened and what the key did.
//
// Each step says what it did, or in a dry run what it would do; a failed step does not stop
// the ones after it, except that a key still active is never replaced. The clock is an argument.
package incident

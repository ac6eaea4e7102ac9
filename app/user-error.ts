/**
 * An error whose message already says, in full, what the person running the tool must change (a field, a
 * variable, a file): printed as it is, without a stack trace. Every refusal of the app is one.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// Filled in by the devstack work: starts a test devstack and exports its env to the suites.
export default function setup(): void {}

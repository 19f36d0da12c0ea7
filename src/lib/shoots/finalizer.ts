// The finalizer kubegarden puts on every Shoot it manages: the Shoot stays in
// the garden until the delete flow has removed what it owns elsewhere.
export const SHOOT_FINALIZER = 'kubegarden.io/shoot';

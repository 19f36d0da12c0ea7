import ShootHibernate from './hibernate.ts';

export default class ShootWakeUp extends ShootHibernate {
  static override description = 'Wake up a hibernated shoot: the control plane comes back with its data, then the worker pools and nodes.';
  static override examples = ['<%= config.bin %> shoot wake-up demo --project local', '<%= config.bin %> shoot wake-up web -p dev -o json'];
  // oclif reads a command's own statics: name them again.
  static override args = ShootHibernate.args;
  static override flags = ShootHibernate.flags;
  protected override hibernate = false;
}

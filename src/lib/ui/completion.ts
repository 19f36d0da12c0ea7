// Shell completion scripts, generated from the commands oclif knows (the
// manifest): commands, topics, flags and flag options are static in the
// script; project, seed and shoot names come from the garden at completion
// time, through the hidden command `kubegarden __complete projects|seeds|shoots`,
// which prints nothing when the garden does not answer quickly.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export type NameKind = 'projects' | 'seeds' | 'shoots';

/** What completion needs of a command (a subset of oclif's Command.Loadable). */
export interface CompletionCommand {
  id: string;
  hidden?: boolean | undefined;
  flags: Record<string, { name: string; char?: string | undefined; type: string; options?: readonly string[] | undefined; hidden?: boolean | undefined }>;
  args: Record<string, { options?: readonly string[] | undefined } | undefined>;
}

interface Spec {
  /** "shoot get" */
  path: string;
  /** --long and -c forms */
  flags: string[];
  /** Flags that take a value, in both forms. */
  valued: string[];
  /** Flag → its fixed choices. */
  options: Array<[string[], readonly string[]]>;
  /** What the first argument names, if it names something in the garden. */
  arg: NameKind | undefined;
  /** The first argument's fixed choices (completion bash|zsh|fish). */
  argChoices: readonly string[];
}

/** Which garden names a command's first argument completes to. */
export function argKind(id: string): NameKind | undefined {
  if (id === 'shoot:create' || id === 'shoot:apply') return undefined;
  if (id.startsWith('shoot:') || id === 'target:shoot') return 'shoots';
  if (id === 'project:delete' || id === 'target:project') return 'projects';
  if (id === 'seed:get' || id === 'seed:deregister') return 'seeds';
  return undefined;
}

function specs(commands: readonly CompletionCommand[]): Spec[] {
  return commands
    .filter((c) => !c.hidden)
    .map((c) => {
      const flags = Object.values(c.flags).filter((f) => !f.hidden);
      const forms = (f: (typeof flags)[number]) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])];
      return {
        path: c.id.split(':').join(' '),
        flags: [...flags.flatMap(forms), '--help'],
        valued: flags.filter((f) => f.type === 'option').flatMap(forms),
        options: flags.filter((f) => f.type === 'option' && f.options?.length).map((f) => [forms(f), f.options!] as [string[], readonly string[]]),
        arg: Object.keys(c.args).length > 0 ? argKind(c.id) : undefined,
        argChoices: Object.values(c.args)[0]?.options ?? [],
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Every topic and command path, and the words that may follow each. */
function tree(all: readonly Spec[]): Map<string, Set<string>> {
  const children = new Map<string, Set<string>>([['', new Set()]]);
  for (const s of all) {
    const words = s.path.split(' ');
    for (let i = 0; i < words.length; i++) {
      const parent = words.slice(0, i).join(' ');
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(words[i]!);
      const self = words.slice(0, i + 1).join(' ');
      if (!children.has(self)) children.set(self, new Set());
    }
  }
  return children;
}

/** A word safe inside single quotes (names here are plain, but never trust it). */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(shell: Shell, bin: string, commands: readonly CompletionCommand[]): string {
  const all = specs(commands);
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (shell === 'fish') return fishScript(bin, fn, all);
  const body = bashFunction(bin, fn, all);
  if (shell === 'zsh') {
    return `# zsh completion for ${bin}, through zsh's bash completion support: source it from ~/.zshrc.\n(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }\nautoload -U +X bashcompinit && bashcompinit\n${body}`;
  }
  return `# bash completion for ${bin}\n${body}`;
}

function bashFunction(bin: string, fn: string, all: readonly Spec[]): string {
  const children = tree(all);
  const cases = (entries: Array<[string, string]>) => entries.map(([k, v]) => `    ${sq(k)}) echo ${sq(v)} ;;`).join('\n');
  const optionCases = all.flatMap((s) => s.options.map(([forms, opts]) => `    ${forms.map((f) => sq(`${s.path}|${f}`)).join('|')}) echo ${sq(opts.join(' '))} ;;`));
  return `${fn}_children() {
  case "$1" in
${cases([...children].map(([k, v]) => [k, [...v].sort().join(' ')]))}
  esac
}
${fn}_flags() {
  case "$1" in
${cases(all.map((s) => [s.path, s.flags.join(' ')]))}
  esac
}
${fn}_valued() {
  case "$1" in
${cases(all.map((s) => [s.path, s.valued.join(' ')]))}
  esac
}
${fn}_options() {
  case "$1|$2" in
${optionCases.join('\n')}
  esac
}
${fn}_arg() {
  case "$1" in
${cases([...all.filter((s) => s.arg).map((s): [string, string] => [s.path, s.arg!]), ...all.filter((s) => s.argChoices.length).map((s): [string, string] => [s.path, `=${s.argChoices.join(' ')}`])])}
  esac
}
${fn}_names() {
  local bin="$1"
  shift
  "$bin" __complete "$@" 2>/dev/null
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" project="" nargs=0 i w cand
  local -a garden=()
  [[ $COMP_CWORD -gt 0 ]] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local bin="\${COMP_WORDS[0]}"
  command -v "$bin" >/dev/null 2>&1 || bin=${sq(bin)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      -p|--project) project="\${COMP_WORDS[i+1]}"; ((i++)); continue ;;
      --project=*) project="\${w#--project=}"; continue ;;
      --kubeconfig|--context) garden+=("$w" "\${COMP_WORDS[i+1]}"); ((i++)); continue ;;
      --kubeconfig=*|--context=*) garden+=("$w"); continue ;;
      --*=*) continue ;;
      -*) [[ " $(${fn}_valued "$path") " == *" $w "* ]] && ((i++)); continue ;;
    esac
    if [[ -z "$path" ]]; then cand="$w"; else cand="$path $w"; fi
    if [[ " $(${fn}_children "$path") " == *" $w "* ]]; then path="$cand"; else ((nargs++)); fi
  done
  COMPREPLY=()
  case "$prev" in
    -p|--project) COMPREPLY=($(compgen -W "$(${fn}_names "$bin" projects "\${garden[@]}")" -- "$cur")); return 0 ;;
    --seed) COMPREPLY=($(compgen -W "$(${fn}_names "$bin" seeds "\${garden[@]}")" -- "$cur")); return 0 ;;
  esac
  if [[ "$prev" == -* && " $(${fn}_valued "$path") " == *" $prev "* ]]; then
    local opts
    opts="$(${fn}_options "$path" "$prev")"
    if [[ -n "$opts" ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_flags "$path")" -- "$cur"))
    return 0
  fi
  local children
  children="$(${fn}_children "$path")"
  if [[ -n "$children" ]]; then
    COMPREPLY=($(compgen -W "$children" -- "$cur"))
    return 0
  fi
  local kind
  kind="$(${fn}_arg "$path")"
  if [[ "$kind" == =* && $nargs -eq 0 ]]; then
    COMPREPLY=($(compgen -W "\${kind#=}" -- "$cur"))
  elif [[ -n "$kind" && $nargs -eq 0 ]]; then
    if [[ "$kind" == shoots && -n "$project" ]]; then
      COMPREPLY=($(compgen -W "$(${fn}_names "$bin" shoots -p "$project" "\${garden[@]}")" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(${fn}_names "$bin" "$kind" "\${garden[@]}")" -- "$cur"))
    fi
  fi
  return 0
}
complete -F ${fn} ${bin}
`;
}

function fishScript(bin: string, fn: string, all: readonly Spec[]): string {
  const children = tree(all);
  const paths = [...children.keys()].filter(Boolean);
  // fish's single quotes escape with a backslash, unlike sh's.
  const fq = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const at = (path: string) => `-n ${fq(`${fn}_at "${path}"`)}`;
  const lines = [
    `# fish completion for ${bin}`,
    `set -g ${fn}_paths ${paths.map((p) => fq(p)).join(' ')}`,
    `function ${fn}_path`,
    `    set -l words (commandline -opc)`,
    `    set -e words[1]`,
    `    set -l path`,
    `    for w in $words`,
    `        string match -q -- '-*' $w; and continue`,
    `        set -l cand (string join ' ' $path $w)`,
    `        if contains -- $cand $${fn}_paths`,
    `            set path $path $w`,
    `        else`,
    `            break`,
    `        end`,
    `    end`,
    `    string join ' ' $path`,
    `end`,
    `function ${fn}_at`,
    `    test (${fn}_path) = "$argv[1]"`,
    `end`,
    `function ${fn}_names`,
    `    set -l words (commandline -opc)`,
    `    set -l extra`,
    `    if test "$argv[1]" = shoots`,
    `        set -l i (contains -i -- -p $words; or contains -i -- --project $words)`,
    `        test -n "$i"; and set extra -p $words[(math $i + 1)]`,
    `    end`,
    `    ${bin} __complete $argv $extra 2>/dev/null`,
    `end`,
    `complete -c ${bin} -f`,
  ];
  for (const [path, kids] of children) {
    for (const k of [...kids].sort()) lines.push(`complete -c ${bin} ${at(path)} -a ${fq(k)}`);
  }
  for (const s of all) {
    for (const f of s.flags) {
      const long = f.startsWith('--');
      const name = f.replace(/^-+/, '');
      if (!long) continue;
      const short = s.flags.find((x) => !x.startsWith('--') && s.valued.includes(x) === s.valued.includes(f) && isShortOf(s, x, f));
      const valued = s.valued.includes(f);
      const opts = s.options.find(([forms]) => forms.includes(f))?.[1];
      let values = '';
      if (name === 'project') values = ` -a ${fq(`(${fn}_names projects)`)}`;
      else if (name === 'seed') values = ` -a ${fq(`(${fn}_names seeds)`)}`;
      else if (opts) values = ` -a ${fq(opts.join(' '))}`;
      lines.push(`complete -c ${bin} ${at(s.path)} -l ${name}${short ? ` -s ${short.slice(1)}` : ''}${valued ? ' -r' : ''}${values}`);
    }
    if (s.argChoices.length) lines.push(`complete -c ${bin} ${at(s.path)} -a ${fq(s.argChoices.join(' '))}`);
    if (s.arg) lines.push(`complete -c ${bin} ${at(s.path)} -a ${fq(`(${fn}_names ${s.arg})`)}`);
  }
  return lines.join('\n') + '\n';
}

/** The short form that follows a long one in the flag list (forms are listed long, then short). */
function isShortOf(s: Spec, short: string, long: string): boolean {
  const i = s.flags.indexOf(long);
  return s.flags[i + 1] === short;
}

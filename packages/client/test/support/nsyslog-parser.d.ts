/** nsyslog-parser ships no types: its one export, as the tests use it. */
declare module 'nsyslog-parser' {
  function parse(line: string, options?: object): Record<string, unknown>;
  export default parse;
}

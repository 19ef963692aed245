/**
 * Jest `moduleNameMapper` target for `archiver`: cdktf's index requires it at load time (about
 * 40 % of loading cdktf, paid again by every test file) but calls it only to zip a
 * TerraformAsset directory, which no stack of this project has. This stand-in loads the real
 * package on its first call, so behaviour is unchanged.
 */
const path = require('path');

let real;
const load = () => (real ??= require(path.join(__dirname, '..', '..', 'node_modules', 'archiver')));

module.exports = new Proxy(function archiver() {}, {
  apply: (_target, thisArg, args) => load().apply(thisArg, args),
  get: (_target, key) => load()[key],
});

import root from '../../eslint.config.js';

// The repository's rules, minus what the snippet tests write (.snippets/: the guides' code, checked by those tests).
export default [...root, { ignores: ['.snippets/**'] }];

// Exports something that is not a jato App: the CLI must say so clearly.
export default { name: 'nope' };

// Lookup by address and its rules live in shared/ since the Node library (node/) uses them too.
export * from '../../shared/recipients/key-lookup';

package domain

// MergeSlots is mergeSlots, for the tests of package domain_test.
var MergeSlots = mergeSlots

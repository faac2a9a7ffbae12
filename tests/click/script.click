// script.click -- Click's Script driving a running router, in the style of Click's
// script-trianglewave.click, with the information elements Click's configurations carry
// (ScheduleInfo, which nb accepts and warns about, and ClickyInfo, which styles Click's GUI).

s :: RatedSource(RATE 1000)
	-> c :: Counter
	-> d :: Discard;

// A rate that falls to 0 and climbs back to 1000 in steps of 5, every 5 milliseconds.
Script(TYPE ACTIVE,
	init x 1000,
	init delta -5,
	wait 0.005s,
	set x $(add $x $delta),
	write s.rate $x,
	goto l1 $(in $x 0 1000),
	loop,
	label l1,
	set delta $(if $(eq $x 0) 5 -5),
	loop);

// A handler of its own: s2.run returns how many packets went through, in thousands.
s2 :: Script(TYPE PASSIVE,
	return $(idiv $(c.count) 1000));

ScheduleInfo(s 2);
ClickyInfo(STYLE #c { decorations: activity } activity { decay: 0 });

// schedorder.click -- the scheduler test of Click's conf/schedorder1.click, in Click's syntax:
// three tasks record the order they run in; the first fills the shared order and asks the run
// to stop, and the DriverManager takes that stop event, prints the order and ends the run.
// nb's worker runs each task as often per pass as its ScheduleInfo share says, so the order is
// 1 2 2 3 3 3 ..., and 1 3 3 3 ... once the second reached its LIMIT (after 5 passes).

s1 :: SchedOrderTest(1, SIZE 100, STOP true);
s2 :: SchedOrderTest(2, SIZE 100, LIMIT 10);
s3 :: SchedOrderTest(3, SIZE 100);

ScheduleInfo(s1 1, s2 2, s3 3);

DriverManager(wait_stop, print s1.order, stop);
